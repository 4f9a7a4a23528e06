package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The usage texts and README.md's command table come from the option declarations: every option shows,
 * once, and the README's generated section is what {@link Usage#markdown} makes today.
 */
class CommandTableTest {
    private static final Path README = Path.of("README.md");
    /** Set to true to rewrite README.md's generated section instead of failing. */
    private static final String UPDATE = "rwkvx.updateReadme";

    @Test
    void readmeCommandTableIsUpToDate() throws IOException {
        String readme = Files.readString(README);
        int begin = readme.indexOf(Usage.MARKDOWN_BEGIN);
        int end = readme.indexOf(Usage.MARKDOWN_END);
        assertTrue(
                begin >= 0 && end > begin,
                "README.md lacks the generated command section: a line " + Usage.MARKDOWN_BEGIN
                        + " and, below it, a line " + Usage.MARKDOWN_END);
        end += Usage.MARKDOWN_END.length() + 1;
        String want = Usage.markdown();
        if (readme.substring(begin, end).equals(want)) return;
        String updated = readme.substring(0, begin) + want + readme.substring(end);
        if (Boolean.getBoolean(UPDATE)) {
            Files.writeString(README, updated);
            return;
        }
        Path expected = Path.of("target", "README.md.expected");
        Files.createDirectories(expected.getParent());
        Files.writeString(expected, updated);
        fail("README.md's command table is out of date: the CLI's options or commands changed. Regenerate it with\n"
                + "  mvn -B -q -o test -Dtest=CommandTableTest -Dsurefire.failIfNoSpecifiedTests=false -D" + UPDATE
                + "=true\nor copy " + expected + " (README.md with the new table) over README.md.");
    }

    @Test
    void theTableListsEveryCommandAndOption() {
        String table = Usage.markdown();
        for (Command c : Commands.ALL) {
            assertTrue(table.contains("\n| `" + c.name()), c.name() + " in\n" + table);
            for (Option o : c.options().all()) {
                String shown = o.synopsis().replace("|", "\\|");
                assertTrue(table.contains(shown), c.name() + ": " + shown + " in\n" + table);
            }
        }
    }

    @Test
    void everyUsageShowsEachOptionOnceWithItsHelp() {
        for (Command c : Commands.ALL) {
            String usage = Usage.of(c.name());
            assertTrue(usage.startsWith("Usage: rwkvx " + c.name() + " "), usage);
            for (Option o : c.options().all()) {
                var m = Pattern.compile("^  " + Pattern.quote(o.synopsis()) + "(\\s|$)", Pattern.MULTILINE)
                        .matcher(usage);
                assertTrue(m.find(), c.name() + " shows " + o.synopsis() + "\n" + usage);
                assertFalse(m.find(), c.name() + " shows " + o.synopsis() + " once\n" + usage);
                String firstWord = o.help().split(" ")[0];
                assertTrue(usage.contains(firstWord), c.name() + ": help of " + o.name());
                if (o.required()) assertTrue(usage.contains(" " + o.synopsis()), "the usage line names " + o.name());
            }
            for (String line : usage.split("\n"))
                assertTrue(
                        line.length() <= Usage.WIDTH || !line.contains(" "), "wrapped at " + Usage.WIDTH + ": " + line);
        }
    }

    @Test
    void noHelpTextIsDeclaredTwice() {
        // Commands that share an option share its declaration; where they declare the same name separately
        // (--model of expand vs of generate), the texts differ on purpose.
        Map<String, Option> byHelp = new HashMap<>();
        for (Command c : Commands.ALL)
            for (Option o : c.options().all()) {
                Option other = byHelp.putIfAbsent(o.help(), o);
                if (other != null) assertTrue(other == o, o.name() + "'s help is declared twice: " + o.help());
            }
        assertEquals(
                Commands.ALL.size(),
                Commands.ALL.stream().map(Command::name).distinct().count());
    }
}
