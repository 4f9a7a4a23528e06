import io.rwkvx.GenerationOptions;
import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.Quantizer;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import io.rwkvx.format.SafetensorsWriter;
import io.rwkvx.sampling.SamplerConfig;
import io.rwkvx.server.OpenAiServer;
import io.rwkvx.server.ServerConfig;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serving benchmark (bench/README.md, "Serving"): an in-process {@code OpenAiServer} on loopback over a synthetic
 * RWKV-7 with the 0.1B World model's shape, driven by HTTP clients in the same JVM. Per weight format: aggregate
 * decode throughput with 1..16 concurrent streaming requests, time between tokens per stream, time to first token
 * on a cached 2,000-token prefix against an uncached one, and the server's cost per token against
 * {@code Session.generate}. Run by bench/serving/run.sh.
 */
public final class ServingBench {
    static final int C = 768, L = 12, V = 65536, F = 3072, H = 12, N = 64;
    static final int[] LORA = {64, 64, 32, 128}; // w, a, v, g

    record Settings(
            boolean quick,
            List<String> formats,
            int threads,
            int[] streams,
            int decodeTokens,
            int prefix,
            int ttftReps,
            int overheadTokens,
            Path dir) {}

    public static void main(String[] args) throws Exception {
        Settings s = parse(args);
        Files.createDirectories(s.dir());
        Path f16 = s.dir().resolve("rwkv7-0.1b-synthetic-f16.safetensors");
        if (!Files.exists(f16)) {
            long t0 = System.nanoTime();
            writeSynthetic(f16, 1234);
            System.err.printf(Locale.ROOT, "wrote %s in %.1f s%n", f16, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(
                Locale.ROOT,
                "# serving benchmark: synthetic RWKV-7 L=%d C=%d V=%d (0.1B World shape), %d threads, %s mode, %d"
                        + " processors%n",
                L,
                C,
                V,
                s.threads(),
                s.quick() ? "quick" : "full",
                Runtime.getRuntime().availableProcessors());
        List<String> table = new ArrayList<>();
        for (String format : s.formats()) {
            Path file = f16;
            if (format.equals("q8_0")) {
                file = s.dir().resolve("rwkv7-0.1b-synthetic-q8_0.bin");
                if (!Files.exists(file)) Quantizer.quantizeFile(f16, file, DType.Q8_0, null);
            } else if (!format.equals("f16")) throw new IllegalArgumentException("format " + format + ": f16 or q8_0");
            runFormat(s, format, file, table);
        }
        System.out.println();
        table.forEach(System.out::println);
    }

    static Settings parse(String[] args) {
        boolean quick = false;
        List<String> formats = List.of("f16", "q8_0");
        int threads = 2;
        Path dir = Path.of("target/bench-serving");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--formats" -> formats = List.of(args[++i].split(","));
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --quick, --formats f16,q8_0, --threads N, --dir DIR");
            }
        }
        return quick
                ? new Settings(true, formats, threads, new int[] {1, 2, 4, 8, 16}, 12, 2000, 2, 24, dir)
                : new Settings(false, formats, threads, new int[] {1, 2, 4, 8, 16}, 48, 2000, 5, 64, dir);
    }

    // ---------------------------------------------------------------------------------------------------------
    // One weight format

    static void runFormat(Settings s, String format, Path file, List<String> table) throws Exception {
        int maxBatch = Arrays.stream(s.streams()).max().orElse(1);
        ModelOptions options =
                ModelOptions.defaults().withThreads(s.threads()).withMaxBatch(maxBatch);
        try (Model model = Rwkvx.load(file, options)) {
            ServerConfig config = ServerConfig.defaults("bench", maxBatch)
                    .withPort(0)
                    .withMaxQueue(64)
                    .withMaxPromptTokens(s.prefix() + 64)
                    .withMaxTokens(4096);
            try (OpenAiServer server = OpenAiServer.start(model, config)) {
                Client client = new Client(server.url());
                System.err.printf("[%s] %s%n", format, model.backendDescription());
                client.stream(prompt(new SplittableRandom(99), 8), 4); // warm-up: JIT, connections, first pages

                table.add("## " + format + ", " + s.threads() + " threads (" + model.backendDescription() + ")");
                table.add("");
                table.add("| streams | tokens | wall s | aggregate tok/s | x one stream | between tokens p50 ms | p99 ms"
                        + " | avg native round |");
                table.add("|---:|---:|---:|---:|---:|---:|---:|---:|");
                double single = 0;
                for (int n : s.streams()) {
                    var before = model.batchingStats();
                    Sweep r = concurrent(client, n, s.decodeTokens(), 1000L * n);
                    var after = model.batchingStats();
                    double rounds = after.rounds() - before.rounds();
                    double avgRound = rounds == 0 ? 0 : (after.items() - before.items()) / rounds;
                    double tps = r.tokens / r.wallSeconds;
                    if (n == 1) single = tps;
                    table.add(String.format(
                            Locale.ROOT,
                            "| %d | %d | %.2f | %.1f | %.2f | %.1f | %.1f | %.2f |",
                            n,
                            r.tokens,
                            r.wallSeconds,
                            tps,
                            tps / single,
                            percentile(r.gapsMs, 50),
                            percentile(r.gapsMs, 99),
                            avgRound));
                    System.err.printf(Locale.ROOT, "[%s] %d streams: %.1f tok/s%n", format, n, tps);
                }
                table.add("");

                // Time to first token: a 2,000-token prefix the cache holds against a fresh one each time.
                SplittableRandom rnd = new SplittableRandom(7);
                int[] shared = prompt(rnd, s.prefix());
                client.complete(shared, 1); // saves the shared prefix's state
                double[] cached = new double[s.ttftReps()], uncached = new double[s.ttftReps()];
                for (int i = 0; i < s.ttftReps(); i++) {
                    Result hit = client.complete(concat(shared, prompt(rnd, 4)), 1);
                    Result miss = client.complete(concat(prompt(rnd, s.prefix()), prompt(rnd, 4)), 1);
                    if (hit.cachedTokens != s.prefix() || miss.cachedTokens != 0)
                        throw new IllegalStateException("cached_tokens " + hit.cachedTokens + " and "
                                + miss.cachedTokens + ", expected " + s.prefix() + " and 0");
                    cached[i] = hit.seconds * 1e3;
                    uncached[i] = miss.seconds * 1e3;
                }
                double hitMs = percentile(cached, 50), missMs = percentile(uncached, 50);
                table.add("| time to first token (" + s.prefix() + "-token prefix + 4 tokens, median of "
                        + s.ttftReps() + ") | ms |");
                table.add("|---|---:|");
                table.add(String.format(Locale.ROOT, "| prefix cached | %.1f |", hitMs));
                table.add(String.format(Locale.ROOT, "| prefix not cached | %.1f |", missMs));
                table.add(String.format(Locale.ROOT, "| ratio | %.1fx |", missMs / hitMs));
                table.add("");

                // The server's cost per token: one stream over HTTP against Session.generate, same tokens.
                int[] p = prompt(new SplittableRandom(11), 16);
                double local = Double.MAX_VALUE, http = Double.MAX_VALUE;
                for (int rep = 0; rep < 3; rep++) {
                    local = Math.min(local, inProcessMsPerToken(model, p, s.overheadTokens()));
                    http = Math.min(http, client.stream(p, s.overheadTokens()).msPerToken());
                }
                table.add("| one stream, " + s.overheadTokens() + " tokens (best of 3) | ms/token |");
                table.add("|---|---:|");
                table.add(String.format(Locale.ROOT, "| Session.generate (in process) | %.2f |", local));
                table.add(String.format(Locale.ROOT, "| HTTP stream (server) | %.2f |", http));
                table.add(String.format(
                        Locale.ROOT, "| server overhead | %.2f ms (%.1f %%) |", http - local, 100 * (http - local) / local));
                table.add("");
            }
        }
    }

    /** Session.generate from the same prompt and sampler as the HTTP requests: ms per token after the first. */
    static double inProcessMsPerToken(Model model, int[] prompt, int tokens) {
        try (Session session = model.newSession()) {
            session.prefill(prompt);
            long[] times = new long[tokens + 1];
            int[] n = {0};
            var result = session.generate(
                    "",
                    GenerationOptions.defaults().withMaxTokens(tokens).withSampler(sampler()),
                    piece -> times[Math.min(n[0]++, tokens)] = System.nanoTime());
            int count = result.tokens().length;
            if (n[0] < 2) throw new IllegalStateException("too few pieces: " + n[0]);
            return (times[n[0] - 1] - times[0]) / 1e6 / (count - 1);
        }
    }

    static SamplerConfig sampler() {
        return SamplerConfig.defaults()
                .withTemperature(1)
                .withTopP(1)
                .withPresencePenalty(0)
                .withFrequencyPenalty(0)
                .withSeed(5); // what the server makes of the requests' fields
    }

    // ---------------------------------------------------------------------------------------------------------
    // Requests

    record Sweep(long tokens, double wallSeconds, double[] gapsMs) {}

    static Sweep concurrent(Client client, int n, int tokens, long seed) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Stream>> futures = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int[] p = prompt(new SplittableRandom(seed + i), 16);
                futures.add(pool.submit(() -> client.stream(p, tokens)));
            }
            long total = 0;
            List<Double> gaps = new ArrayList<>();
            for (Future<Stream> f : futures) {
                Stream st = f.get();
                total += st.tokens;
                for (int i = 1; i < st.eventNanos.size(); i++)
                    gaps.add((st.eventNanos.get(i) - st.eventNanos.get(i - 1)) / 1e6);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            return new Sweep(total, wall, gaps.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    record Result(double seconds, long cachedTokens) {}

    /** A streamed completion: when each text event came, and the usage's completion tokens. */
    record Stream(List<Long> eventNanos, long tokens) {
        double msPerToken() {
            return (eventNanos.getLast() - eventNanos.getFirst()) / 1e6 / (tokens - 1);
        }
    }

    static final class Client {
        private static final Pattern COMPLETION_TOKENS = Pattern.compile("\"completion_tokens\":(\\d+)");
        private static final Pattern CACHED_TOKENS = Pattern.compile("\"cached_tokens\":(\\d+)");

        private final HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final URI completions;

        Client(URI base) {
            this.completions = URI.create(base + "/v1/completions");
        }

        private HttpRequest request(int[] prompt, int maxTokens, boolean stream) {
            String body = "{\"model\":\"bench\",\"prompt\":" + Arrays.toString(prompt).replace(" ", "")
                    + ",\"max_tokens\":" + maxTokens + ",\"temperature\":1,\"seed\":5"
                    + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
            return HttpRequest.newBuilder(completions)
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
        }

        Result complete(int[] prompt, int maxTokens) throws Exception {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(request(prompt, maxTokens, false), HttpResponse.BodyHandlers.ofString());
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (r.statusCode() != 200) throw new IllegalStateException(r.statusCode() + ": " + r.body());
            return new Result(seconds, number(CACHED_TOKENS, r.body()));
        }

        Stream stream(int[] prompt, int maxTokens) throws Exception {
            HttpResponse<InputStream> r =
                    http.send(request(prompt, maxTokens, true), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200)
                throw new IllegalStateException(r.statusCode() + ": " + new String(r.body().readAllBytes()));
            List<Long> times = new ArrayList<>();
            long tokens = -1;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                    if (line.contains("\"usage\":{")) tokens = number(COMPLETION_TOKENS, line);
                    else if (!line.contains("\"text\":\"\"")) times.add(System.nanoTime());
                }
            }
            if (tokens < 2 || times.size() < 2) throw new IllegalStateException("stream too short: " + tokens);
            return new Stream(times, tokens);
        }

        private static long number(Pattern p, String text) {
            Matcher m = p.matcher(text);
            if (!m.find()) throw new IllegalStateException("no " + p + " in " + text);
            return Long.parseLong(m.group(1));
        }
    }

    static int[] prompt(SplittableRandom rnd, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = 1 + rnd.nextInt(V - 1); // never 0, the end of text
        return t;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static double percentile(double[] values, double p) {
        if (values.length == 0) return Double.NaN;
        double[] v = values.clone();
        Arrays.sort(v);
        int i = (int) Math.ceil(p / 100 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }

    // ---------------------------------------------------------------------------------------------------------
    // The synthetic model, as bench/native/bench_rwkv7.cpp draws it: BlinkDL names, F16 matrices, F32 vectors

    static void writeSynthetic(Path file, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            Model7 m = new Model7(arena, rnd, t);
            m.matrix("emb.weight", 1.0, V, C);
            m.layerNorm("blocks.0.ln0");
            for (int i = 0; i < L; i++) {
                String b = "blocks." + i + ".";
                m.layerNorm(b + "ln1");
                m.layerNorm(b + "ln2");
                for (String x : List.of("x_r", "x_w", "x_k", "x_v", "x_a", "x_g"))
                    m.vector(b + "att." + x, j -> 0.5 + 0.5 * m.u(), 1, 1, C);
                m.vector(b + "att.w0", j -> -6.5 + 5.0 * j / (C - 1) + 0.3 * m.u(), 1, 1, C);
                m.vector(b + "att.a0", j -> 0.5 * m.u(), 1, 1, C);
                if (i > 0) m.vector(b + "att.v0", j -> 1.0 + 0.2 * m.u(), 1, 1, C);
                m.vector(b + "att.k_k", j -> 0.85 + 0.1 * m.u(), 1, 1, C);
                m.vector(b + "att.k_a", j -> 1.0 + 0.1 * m.u(), 1, 1, C);
                String[] loras = {"w", "a", "v", "g"};
                for (int l = 0; l < 4; l++) {
                    if (i == 0 && loras[l].equals("v")) continue;
                    m.matrix(b + "att." + loras[l] + "1", 1 / Math.sqrt(C), C, LORA[l]); // (C, D) in checkpoints
                    m.matrix(b + "att." + loras[l] + "2", 1 / Math.sqrt(LORA[l]), LORA[l], C);
                }
                m.vector(b + "att.r_k", j -> 0.1 * m.u(), H, N);
                for (String w : List.of("receptance", "key", "value", "output"))
                    m.matrix(b + "att." + w + ".weight", 1 / Math.sqrt(C), C, C);
                m.layerNorm(b + "att.ln_x");
                m.vector(b + "ffn.x_k", j -> 0.5 + 0.5 * m.u(), 1, 1, C);
                m.matrix(b + "ffn.key.weight", 1 / Math.sqrt(C), F, C);
                m.matrix(b + "ffn.value.weight", 1 / Math.sqrt(F), C, F);
            }
            m.layerNorm("ln_out");
            m.matrix("head.weight", 1 / Math.sqrt(C), V, C);
            SafetensorsWriter.write(file, t);
        }
    }

    /** Draws tensors into {@code out}: matrices U(-1,1)*scale in F16, vectors in F32. */
    record Model7(Arena arena, SplittableRandom rnd, Map<String, Tensor> out) {
        double u() {
            return 2 * rnd.nextDouble() - 1;
        }

        void matrix(String name, double scale, long rows, long cols) {
            long n = rows * cols;
            MemorySegment seg = arena.allocate(2 * n, 64);
            for (long i = 0; i < n; i++)
                seg.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16((float) (scale * u())));
            out.put(name, new Tensor(name, DType.F16, new long[] {rows, cols}, seg));
        }

        void vector(String name, java.util.function.IntToDoubleFunction value, long... shape) {
            long n = 1;
            for (long d : shape) n *= d;
            MemorySegment seg = arena.allocate(4 * n, 64);
            for (int i = 0; i < n; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) value.applyAsDouble(i % C));
            out.put(name, new Tensor(name, DType.F32, shape, seg));
        }

        void layerNorm(String prefix) {
            vector(prefix + ".weight", j -> 1.0 + 0.1 * u(), C);
            vector(prefix + ".bias", j -> 0.1 * u(), C);
        }
    }
}
