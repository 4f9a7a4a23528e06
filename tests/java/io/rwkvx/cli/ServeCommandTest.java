package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rwkvx serve}: its usage errors, and a real process that serves, then stops cleanly on SIGINT. */
class ServeCommandTest {
    @Test
    void wrongOptionsAreUsageErrors() {
        Cli port = Cli.run("serve", "--port", "70000");
        assertEquals(2, port.code(), port.dump());
        assertTrue(port.err().contains("option --port must be at most 65535"), port.dump());

        Cli states = Cli.run("serve", "--states", "no/such/folder");
        assertEquals(2, states.code(), states.dump());
        assertTrue(states.err().contains("is not a folder"), states.dump());
    }

    @Test
    void aBadChatTemplateIsAUsageError(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("t.json");
        Files.writeString(template, "{\"user\": \"no placeholder\"}");
        Cli r = Cli.run("serve", "--chat-template", template.toString());
        assertEquals(2, r.code(), r.dump());
        assertTrue(r.err().contains("has no {content}"), r.dump());
    }

    @Test
    void servesAndStopsOnSigint() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "serve",
                        "--port",
                        "0",
                        "--threads",
                        "1"))
                .redirectErrorStream(false)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null, "no output from serve");
            Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+) ")
                    .matcher(line);
            assertTrue(m.find(), line);
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(m.group(1) + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertTrue(health.body().contains("tiny-rwkv-7v0-834K-FP32"), health.body());

            // A process started with SIGINT ignored (a background job of a shell without job control) keeps it
            // ignored; SIGTERM takes the same way out through the shutdown hook.
            boolean sigintIgnored = sigintIgnored(p.pid());
            new ProcessBuilder("kill", sigintIgnored ? "-TERM" : "-INT", Long.toString(p.pid()))
                    .start()
                    .waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve did not stop");
            assertEquals(sigintIgnored ? 143 : 130, p.exitValue());
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(err.contains("rwkvx serve: stopped"), err);
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean sigintIgnored(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            if (l.startsWith("SigIgn:")) return (Long.parseLong(l.substring(7).strip(), 16) & 2) != 0;
        return false;
    }
}
