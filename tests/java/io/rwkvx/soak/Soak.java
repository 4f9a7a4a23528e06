package io.rwkvx.soak;

import io.rwkvx.GenerationOptions;
import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.RandomHybridModel;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import io.rwkvx.State;
import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.sampling.SamplerConfig;
import io.rwkvx.tensor.DType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Soak run of the public API ({@code tests/soak.sh}; not a JUnit test, not in CI): for a given time, worker
 * threads with sessions of their own run a random (seeded) mix of prefills up to a few hundred tokens (the KV
 * caches grow), decode steps, short generations, snapshots and restores, forks, saveState/loadState through a
 * temporary file and resets on an RWKV-X model, which is closed and reopened every few seconds with the other
 * weight placement ({@link WeightPlacement#RESIDENT}, {@link WeightPlacement#IN_PLACE}, sometimes both at once)
 * and other RWKV-X knobs (chunking, KV dtype, KV compression). Every few seconds (--interval) it prints the
 * process's RSS (VmRSS of /proc/self/status), the Java heap in use and {@link Rwkvx#liveNativeHandles()} to
 * stdout and a CSV file; at the end a summary: RSS after the warm-up, min/max, the slope of a linear fit over
 * the second half (MB per hour), and the live handles at the start and the end.
 *
 * <p>Checks on the way: after every model close no native handle is left (the count is back to where it was
 * with the library loaded and no model open); a restored snapshot, a fork and a loaded state give the same next logits as the
 * session they came from. Exit status 0 when every check held and no call failed, 1 otherwise, 2 on bad
 * arguments.
 */
public final class Soak {
    private static final String USAGE = """
            usage: Soak [--minutes M] [--interval S] [--warmup S] [--csv FILE] [--model FILE] [--threads N] [--seed S]
              --minutes M   how long to run (default 60; fractions allowed)
              --interval S  seconds between report lines (default 30)
              --warmup S    seconds before the start figures are taken (default: 10% of the run, at most 120)
              --csv FILE    where the report lines go as CSV (default soak.csv)
              --model FILE  an RWKV-X model (default: a random one, C=128, 4 RWKV-7 layers, 2 attention blocks, V=256)
              --threads N   at most N worker threads per model (default 3)
              --seed S      seed of the workload and the random model (default 1)
            """;

    /** Relative difference allowed between logits that should be equal (same state, same token, same model). */
    private static final double TOLERANCE = 1e-4;

    private static final int MAX_PREFILL = 320;

    // ---- options
    private double minutes = 60;
    private double intervalS = 30;
    private double warmupS = -1;
    private Path csv = Path.of("soak.csv");
    private Path modelFile;
    private int maxThreads = 3;
    private long seed = 1;

    // ---- counters (workers add, the reporter reads)
    private final AtomicLong iterations = new AtomicLong();
    private final AtomicLong sessionsOpened = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong forks = new AtomicLong();
    private final AtomicLong saveLoads = new AtomicLong();
    private final AtomicLong generations = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private long modelsResident, modelsInPlace, epochs, leakyEpochs;
    private volatile long idleHandles = -1; // live handles after the latest model close

    private final List<Sample> samples = new ArrayList<>();
    private long t0;
    private double maxLogitDiff;

    record Sample(double t, double rssMb, double anonMb, double heapMb, long handles, long idleHandles) {}

    public static void main(String[] args) throws Exception {
        Soak soak = new Soak();
        try {
            soak.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        }
        System.exit(soak.run() ? 0 : 1);
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.print(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
            String v = args[++i];
            try {
                switch (a) {
                    case "--minutes" -> minutes = Double.parseDouble(v);
                    case "--interval" -> intervalS = Double.parseDouble(v);
                    case "--warmup" -> warmupS = Double.parseDouble(v);
                    case "--csv" -> csv = Path.of(v);
                    case "--model" -> modelFile = Path.of(v);
                    case "--threads" -> maxThreads = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + ": not a number: " + v);
            }
        }
        if (!(minutes > 0)) throw new IllegalArgumentException("--minutes must be > 0");
        if (!(intervalS > 0)) throw new IllegalArgumentException("--interval must be > 0");
        if (maxThreads < 1) throw new IllegalArgumentException("--threads must be >= 1");
        if (warmupS < 0) warmupS = Math.min(120, minutes * 6);
    }

    private boolean run() throws Exception {
        Path dir = Files.createTempDirectory("rwkvx-soak-");
        try {
            return soak(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private boolean soak(Path dir) throws Exception {
        Path model = modelFile != null
                ? modelFile
                : new RandomHybridModel(new Random(seed), 128, 4, 2, 256)
                        .write(dir.resolve("random-rwkvx.safetensors"));
        int nVocab;
        try (Model m = Rwkvx.load(model, ModelOptions.defaults().withBackend(BackendKind.NATIVE))) {
            if (m.config().arch() != Architecture.HYBRID)
                throw new IllegalArgumentException(model + " is " + m.config().arch().displayName + ", not RWKV-X");
            nVocab = m.config().nVocab();
            out("soak: " + Rwkvx.version() + "; model " + (modelFile != null ? model : "random RWKV-X") + ": "
                    + m.describe());
        }
        // The library is loaded and the first model closed: what every model close must come back to.
        long handlesBaseline = Rwkvx.liveNativeHandles();
        out(String.format(
                Locale.ROOT,
                "soak: %.1f min, a line every %.0f s (CSV: %s), warm-up %.0f s, up to %d worker threads, seed %d, pid %d%s",
                minutes,
                intervalS,
                csv,
                warmupS,
                maxThreads,
                seed,
                ProcessHandle.current().pid(),
                System.getenv("MALLOC_ARENA_MAX") == null
                        ? ""
                        : ", MALLOC_ARENA_MAX=" + System.getenv("MALLOC_ARENA_MAX")));

        t0 = System.nanoTime();
        long end = t0 + (long) (minutes * 60e9);
        Random rnd = new Random(seed);
        try (PrintWriter csvOut = new PrintWriter(Files.newBufferedWriter(csv))) {
            csvOut.println(
                    "elapsed_s,rss_mb,rss_anon_mb,heap_used_mb,non_heap_committed_mb,direct_mb,live_handles,idle_handles,"
                            + "iterations,sessions,tokens,snapshots,forks,save_loads,models,mismatches,errors");
            Thread reporter = Thread.ofPlatform().daemon().name("soak-report").start(() -> report(csvOut, end));
            while (System.nanoTime() < end) {
                epoch(model, nVocab, rnd, dir, Math.min(end, System.nanoTime() + (long) ((5 + rnd.nextInt(20)) * 1e9)));
                long idle = Rwkvx.liveNativeHandles();
                idleHandles = idle;
                epochs++;
                if (idle != handlesBaseline) {
                    leakyEpochs++;
                    out("soak: LEAK? " + idle + " native handles live after closing every model (baseline "
                            + handlesBaseline + ")");
                }
            }
            reporter.interrupt();
            reporter.join();
            sample(csvOut); // the final figures, everything closed
        }
        return summary(handlesBaseline);
    }

    /** One model lifetime: open (one or both placements), run workers until {@code until}, close. */
    private void epoch(Path file, int nVocab, Random rnd, Path dir, long until) throws InterruptedException {
        HybridConfig hybrid = randomHybrid(rnd);
        List<WeightPlacement> placements = rnd.nextInt(4) == 0
                ? List.of(WeightPlacement.RESIDENT, WeightPlacement.IN_PLACE)
                : List.of(rnd.nextBoolean() ? WeightPlacement.RESIDENT : WeightPlacement.IN_PLACE);
        List<Model> models = new ArrayList<>();
        try {
            for (WeightPlacement p : placements) {
                models.add(Rwkvx.load(
                        file,
                        ModelOptions.defaults()
                                .withBackend(BackendKind.NATIVE)
                                .withThreads(1 + rnd.nextInt(2))
                                .withHybrid(hybrid)
                                .withWeights(p)));
                if (p == WeightPlacement.RESIDENT) modelsResident++;
                else modelsInPlace++;
            }
            int nThreads = Math.max(placements.size(), 1 + rnd.nextInt(maxThreads));
            List<Thread> workers = new ArrayList<>();
            for (int w = 0; w < nThreads; w++) {
                Model own = models.get(w % models.size());
                Model other = models.get((w + 1) % models.size());
                Random wr = new Random(rnd.nextLong());
                Path stateFile = dir.resolve("state-" + w + ".bin");
                workers.add(Thread.ofPlatform()
                        .name("soak-worker-" + w)
                        .start(() -> work(own, other, nVocab, wr, stateFile, until)));
            }
            for (Thread t : workers) t.join();
        } finally {
            for (Model m : models) m.close(); // also closes the sessions the workers left open
        }
    }

    private static HybridConfig randomHybrid(Random rnd) {
        int chunk = new int[] {8, 16, 32, 64}[rnd.nextInt(4)];
        int topK = 1 + rnd.nextInt(3);
        boolean sparse = rnd.nextInt(4) != 0;
        boolean compress = rnd.nextInt(3) == 0;
        DType kv = new DType[] {DType.F32, DType.F32, DType.F16, DType.BF16}[rnd.nextInt(4)];
        return new HybridConfig(
                chunk,
                topK,
                rnd.nextBoolean(),
                sparse,
                sparse,
                chunk / 2,
                compress ? 192 : 0,
                compress ? 32 : 2000,
                compress ? 128 : 16000,
                kv);
    }

    /** A worker's loop: iterations of 1-4 sessions on {@code own} until {@code until}. */
    private void work(Model own, Model other, int nVocab, Random r, Path stateFile, long until) {
        int printed = 0;
        while (System.nanoTime() < until) {
            try {
                iteration(own, other, nVocab, r, stateFile);
                iterations.incrementAndGet();
            } catch (RuntimeException | Error e) {
                errors.incrementAndGet();
                if (printed++ < 3) {
                    System.out.println(
                            "soak: ERROR in " + Thread.currentThread().getName() + ": " + e);
                    e.printStackTrace(System.out);
                }
            }
        }
    }

    private void iteration(Model own, Model other, int nVocab, Random r, Path stateFile) {
        int n = 1 + r.nextInt(4);
        List<Session> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Session s = own.newSession();
                sessionsOpened.incrementAndGet();
                open.add(s);
                feed(s, r, nVocab);
                decode(s, r, nVocab, 1 + r.nextInt(8));
                switch (r.nextInt(6)) {
                    case 0 -> snapshotAndRestore(s, r, nVocab);
                    case 1 -> open.add(forkAndCompare(s, r, nVocab));
                    case 2 -> open.add(saveAndLoad(s, own, r, nVocab, stateFile));
                    case 3 -> {
                        s.reset();
                        feed(s, r, nVocab);
                    }
                    case 4 -> generate(s, r);
                    default -> {
                        // The other model (the other placement when two are open) continues this session's state.
                        s.saveState(stateFile);
                        Session t = other.newSession();
                        sessionsOpened.incrementAndGet();
                        open.add(t);
                        t.loadState(stateFile);
                        saveLoads.incrementAndGet();
                        decode(t, r, nVocab, 1 + r.nextInt(4));
                    }
                }
            }
        } finally {
            // Now and then one session stays open: the model's close() closes it.
            if (!open.isEmpty() && r.nextInt(20) == 0) open.remove(open.size() - 1);
            for (Session s : open) s.close();
        }
    }

    /** Prefill, ingest + decode, or evalAll of random tokens: the session's KV caches grow. */
    private void feed(Session s, Random r, int nVocab) {
        int[] t = randomTokens(r, nVocab, 1 + r.nextInt(MAX_PREFILL));
        switch (r.nextInt(5)) {
            case 0 -> {
                s.ingest(t);
                s.decodeStep(r.nextInt(nVocab));
                tokens.addAndGet(t.length + 1);
            }
            case 1 -> {
                // All logits: V floats per token, so a shorter sequence.
                int[] shortT = Arrays.copyOf(t, Math.min(t.length, 48));
                s.evalAll(shortT);
                tokens.addAndGet(shortT.length);
            }
            default -> {
                s.prefill(t);
                tokens.addAndGet(t.length);
            }
        }
    }

    private void decode(Session s, Random r, int nVocab, int n) {
        for (int i = 0; i < n; i++) s.decodeStep(next(s.logits(), r, nVocab));
        tokens.addAndGet(n);
    }

    private void snapshotAndRestore(Session s, Random r, int nVocab) {
        State snap = s.snapshot();
        int tok = r.nextInt(nVocab);
        float[] first = s.decodeStep(tok);
        decode(s, r, nVocab, 1 + r.nextInt(4));
        s.restore(snap);
        compare("restore", first, s.decodeStep(tok));
        snapshots.incrementAndGet();
    }

    private Session forkAndCompare(Session s, Random r, int nVocab) {
        Session f = s.fork();
        forks.incrementAndGet();
        sessionsOpened.incrementAndGet();
        int tok = r.nextInt(nVocab);
        compare("fork", s.decodeStep(tok), f.decodeStep(tok));
        // The fork goes its own way: its cache grows apart from the original's.
        feed(f, r, nVocab);
        return f;
    }

    private Session saveAndLoad(Session s, Model own, Random r, int nVocab, Path stateFile) {
        s.saveState(stateFile);
        Session l = own.newSession();
        sessionsOpened.incrementAndGet();
        try {
            l.loadState(stateFile);
        } catch (RuntimeException e) {
            l.close();
            throw e;
        }
        saveLoads.incrementAndGet();
        int tok = r.nextInt(nVocab);
        compare("loadState", s.decodeStep(tok), l.decodeStep(tok));
        return l;
    }

    private void generate(Session s, Random r) {
        var options = GenerationOptions.defaults()
                .withMaxTokens(1 + r.nextInt(6))
                .withStopAtEndOfText(false)
                .withSampler(SamplerConfig.defaults().withTopK(20).withSeed(r.nextLong()));
        var result = s.generate("", options, piece -> {});
        tokens.addAndGet(result.tokens().length);
        generations.incrementAndGet();
    }

    private void compare(String what, float[] want, float[] got) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]) / Math.max(1, Math.abs(want[i]));
            if (!(d <= worst)) worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        }
        synchronized (this) {
            maxLogitDiff = Math.max(maxLogitDiff, worst);
        }
        if (worst > TOLERANCE && mismatches.incrementAndGet() <= 5)
            out("soak: MISMATCH " + what + ": logits differ by " + worst + " (relative)");
    }

    private static int next(float[] logits, Random r, int nVocab) {
        if (r.nextBoolean()) return r.nextInt(nVocab);
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    private static int[] randomTokens(Random r, int nVocab, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(nVocab);
        return t;
    }

    // ---------------------------------------------------------------------------------------------
    // Reporting

    private void report(PrintWriter csvOut, long end) {
        long next = t0;
        while (true) {
            next += (long) (intervalS * 1e9);
            long wait = next - System.nanoTime();
            if (next >= end) return; // the final line comes after the last model is closed
            try {
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
            sample(csvOut);
        }
    }

    private synchronized void sample(PrintWriter csvOut) {
        double t = (System.nanoTime() - t0) / 1e9;
        double[] rss = rssMb();
        Runtime rt = Runtime.getRuntime();
        double heap = (rt.totalMemory() - rt.freeMemory()) / 1048576.0;
        // The JVM's own native memory: metaspace and JIT code (committed), and the native memory that
        // ByteBuffers and FFM arenas hold (the "direct" pool).
        double nonHeap =
                ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted() / 1048576.0;
        double direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                        .filter(b -> b.getName().equals("direct"))
                        .mapToLong(BufferPoolMXBean::getMemoryUsed)
                        .sum()
                / 1048576.0;
        long handles = Rwkvx.liveNativeHandles();
        Sample s = new Sample(t, rss[0], rss[1], heap, handles, idleHandles);
        samples.add(s);
        long models = modelsResident + modelsInPlace;
        out(String.format(
                Locale.ROOT,
                "soak %6.0fs  rss %7.1f MB (anon %7.1f)  heap %5.1f  non-heap %5.1f  direct %5.1f MB  handles %4d (idle %s)  iter %7d  sessions %7d"
                        + "  tokens %9d  models %4d%s%s",
                t,
                s.rssMb,
                s.anonMb,
                heap,
                nonHeap,
                direct,
                handles,
                s.idleHandles < 0 ? "-" : Long.toString(s.idleHandles),
                iterations.get(),
                sessionsOpened.get(),
                tokens.get(),
                models,
                t < warmupS ? "  (warm-up)" : "",
                mismatches.get() + errors.get() > 0
                        ? "  MISMATCHES " + mismatches.get() + " ERRORS " + errors.get()
                        : ""));
        csvOut.printf(
                Locale.ROOT,
                "%.1f,%.2f,%.2f,%.2f,%.2f,%.2f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d%n",
                t,
                s.rssMb,
                s.anonMb,
                heap,
                nonHeap,
                direct,
                handles,
                s.idleHandles,
                iterations.get(),
                sessionsOpened.get(),
                tokens.get(),
                snapshots.get(),
                forks.get(),
                saveLoads.get(),
                models,
                mismatches.get(),
                errors.get());
        csvOut.flush();
    }

    /** VmRSS and RssAnon of this process in MB (from /proc/self/status). */
    private static double[] rssMb() {
        double rss = Double.NaN, anon = Double.NaN;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) rss = kb(line) / 1024.0;
                else if (line.startsWith("RssAnon:")) anon = kb(line) / 1024.0;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new double[] {rss, anon};
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    private synchronized boolean summary(long handlesBaseline) {
        double total = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).t;
        List<Sample> afterWarmup = samples.stream().filter(s -> s.t >= warmupS).toList();
        if (afterWarmup.isEmpty()) afterWarmup = samples;
        Sample first = afterWarmup.get(0), last = samples.get(samples.size() - 1);
        double min = afterWarmup.stream().mapToDouble(Sample::rssMb).min().orElse(Double.NaN);
        double max = afterWarmup.stream().mapToDouble(Sample::rssMb).max().orElse(Double.NaN);
        List<Sample> secondHalf = samples.stream().filter(s -> s.t >= total / 2).toList();
        double slope = slopePerHour(secondHalf, Sample::rssMb);
        double anonSlope = slopePerHour(secondHalf, Sample::anonMb);
        long maxHandles = samples.stream().mapToLong(Sample::handles).max().orElse(0);
        boolean pass =
                mismatches.get() == 0 && errors.get() == 0 && leakyEpochs == 0 && last.handles == handlesBaseline;
        out("soak: ---- summary ----");
        out(String.format(
                Locale.ROOT,
                "soak: %.0f s, %d model lifetimes (%d resident + %d in-place opens), %d iterations, %d sessions, %d tokens,"
                        + " %d snapshot/restores, %d forks, %d save/loads, %d generations",
                total,
                epochs,
                modelsResident,
                modelsInPlace,
                iterations.get(),
                sessionsOpened.get(),
                tokens.get(),
                snapshots.get(),
                forks.get(),
                saveLoads.get(),
                generations.get()));
        out(String.format(
                Locale.ROOT,
                "soak: RSS after warm-up (%.0f s) %.1f MB; min %.1f MB, max %.1f MB; end %.1f MB (anon %.1f MB)",
                first.t,
                first.rssMb,
                min,
                max,
                last.rssMb,
                last.anonMb));
        out(String.format(
                Locale.ROOT,
                "soak: RSS slope over the second half (%.0f-%.0f s, %d samples): %+.1f MB/h (anon %+.1f MB/h)",
                secondHalf.isEmpty() ? 0 : secondHalf.get(0).t,
                total,
                secondHalf.size(),
                slope,
                anonSlope));
        out(String.format(
                Locale.ROOT,
                "soak: live native handles: at start (library loaded, no model) %d, after warm-up %d (running),"
                        + " max %d, end %d; %d of %d model closes left handles behind",
                handlesBaseline,
                first.handles,
                maxHandles,
                last.handles,
                leakyEpochs,
                epochs));
        out(String.format(
                Locale.ROOT,
                "soak: checks: %d mismatches (largest relative logit difference %.2g), %d errors -> %s",
                mismatches.get(),
                maxLogitDiff,
                errors.get(),
                pass ? "PASS" : "FAIL"));
        return pass;
    }

    /** Least-squares slope of {@code y} over time, per hour; NaN with fewer than two samples. */
    private static double slopePerHour(List<Sample> s, java.util.function.ToDoubleFunction<Sample> y) {
        int n = s.size();
        if (n < 2) return Double.NaN;
        double mt = 0, my = 0;
        for (Sample x : s) {
            mt += x.t;
            my += y.applyAsDouble(x);
        }
        mt /= n;
        my /= n;
        double num = 0, den = 0;
        for (Sample x : s) {
            num += (x.t - mt) * (y.applyAsDouble(x) - my);
            den += (x.t - mt) * (x.t - mt);
        }
        return den == 0 ? Double.NaN : num / den * 3600;
    }

    private static void out(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
