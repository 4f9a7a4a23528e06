package io.rwkvx.cli;

import io.rwkvx.model.HybridConfig;
import io.rwkvx.tensor.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The RWKV-X inference settings ({@link HybridConfig}) of every command that loads a model: sparse
 * attention and KV caches. Models of other architectures ignore them; {@link ModelChoice#open} then warns.
 */
final class HybridChoice {
    private static final HybridConfig D = HybridConfig.defaults();
    private static final List<String> MODES = List.of("sparse", "full");

    static final Option CHUNK = Option.value(
            "--attn-chunk",
            "N",
            "sparse attention chunk size: chunks of N tokens from position 0 (default " + D.chunkSize() + ")");
    static final Option TOP_K = Option.value(
            "--attn-top-k", "K", "past chunks a query attends besides its own, 0 to 64 (default " + D.topK() + ")");
    static final Option SCOPE = Option.choice(
            "--attn-scope",
            List.of("head", "all"),
            "each head selects its chunks, or one selection scored over all heads (default head)");
    static final Option PREFILL =
            Option.choice("--attn-prefill", MODES, "attention of calls with several tokens (default sparse)");
    static final Option DECODE = Option.choice(
            "--attn-decode",
            MODES,
            "attention of single-token calls (default sparse); as --attn-prefill for a prefill to equal decoding "
                    + "token by token");
    static final Option DENSE_BELOW = Option.value(
            "--attn-dense-below",
            "N",
            "sparse runs as full attention while at most N tokens are attended; N must be below chunk x (top-k + 1) "
                    + "(default " + D.denseBelow() + ", or chunk x top-k when that is smaller)");
    static final Option KV_DTYPE = Option.choice(
            "--kv-dtype",
            List.of("f32", "f16", "bf16"),
            "element type of the KV caches; f16 and bf16 halve their memory (default " + name(D.kvDtype()) + ")");
    static final Option KV_MAX_SIZE = Option.value(
            "--kv-max-size",
            "N",
            "compress a KV cache longer than N tokens before a decode step, SnapKV-like; 0 = never (default "
                    + D.kvMaxSize() + ")");
    static final Option KV_WINDOW = Option.value(
            "--kv-window", "N", "recent tokens that compression always keeps (default " + D.kvWindow() + ")");
    static final Option KV_MIN_SIZE = Option.value(
            "--kv-min-size",
            "N",
            "cache length after compression; needs --kv-window < N <= --kv-max-size (default " + D.kvMinSize() + ")");

    static final OptionSpec.Group OPTIONS = new OptionSpec.Group(
            "RWKV-X options",
            "Settings of RWKV-X models; other architectures ignore them, with a warning.",
            List.of(CHUNK, TOP_K, SCOPE, PREFILL, DECODE, DENSE_BELOW, KV_DTYPE, KV_MAX_SIZE, KV_WINDOW, KV_MIN_SIZE));

    private HybridChoice() {}

    /** The settings given, the defaults for the others; wrong values and combinations are usage errors. */
    static HybridConfig from(Options o) throws UsageException {
        int chunk = o.intValue(CHUNK.name(), D.chunkSize(), 1);
        int topK = o.intValue(TOP_K.name(), D.topK(), 0, 64);
        boolean perHead = o.choice(SCOPE.name(), "head").equals("head");
        boolean prefillSparse = o.choice(PREFILL.name(), "sparse").equals("sparse");
        boolean decodeSparse = o.choice(DECODE.name(), "sparse").equals("sparse");
        // Without the option, the threshold follows the chunks like HybridConfig.withChunk.
        long denseBelow =
                o.longValue(DENSE_BELOW.name(), D.withChunk(chunk, topK).denseBelow(), 0, Long.MAX_VALUE);
        DType kvDtype =
                DType.valueOf(o.choice(KV_DTYPE.name(), name(D.kvDtype())).toUpperCase(Locale.ROOT));
        long kvMaxSize = o.longValue(KV_MAX_SIZE.name(), D.kvMaxSize(), 0, Long.MAX_VALUE);
        long kvWindow = o.longValue(KV_WINDOW.name(), D.kvWindow(), 0, Long.MAX_VALUE);
        long kvMinSize = o.longValue(KV_MIN_SIZE.name(), D.kvMinSize(), 1, Long.MAX_VALUE);

        long limit = (long) chunk * (topK + 1);
        if (denseBelow >= limit)
            throw o.usage("option " + DENSE_BELOW.name() + " must be below " + CHUNK.name() + " x (" + TOP_K.name()
                    + " + 1) = " + limit + ", got " + denseBelow);
        if (kvMaxSize > 0 && !(kvWindow < kvMinSize && kvMinSize <= kvMaxSize))
            throw o.usage(
                    "with " + KV_MAX_SIZE.name() + " above 0, " + KV_WINDOW.name() + " < " + KV_MIN_SIZE.name() + " <= "
                            + KV_MAX_SIZE.name() + " must hold; got " + kvWindow + ", " + kvMinSize + ", " + kvMaxSize);
        try {
            return new HybridConfig(
                    chunk,
                    topK,
                    perHead,
                    prefillSparse,
                    decodeSparse,
                    denseBelow,
                    kvMaxSize,
                    kvWindow,
                    kvMinSize,
                    kvDtype);
        } catch (IllegalArgumentException e) { // a rule added to HybridConfig after the checks above
            throw o.usage("invalid RWKV-X settings: " + e.getMessage());
        }
    }

    /** The RWKV-X options given on the command line, in declaration order. */
    static List<String> given(Options o) {
        List<String> names = new ArrayList<>();
        for (Option option : OPTIONS.options()) if (o.has(option.name())) names.add(option.name());
        return names;
    }

    /** Each setting of {@code h} under its option's name (without {@code --}), written as the option takes it. */
    static Map<String, String> describe(HybridConfig h) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(key(CHUNK), Integer.toString(h.chunkSize()));
        m.put(key(TOP_K), Integer.toString(h.topK()));
        m.put(key(SCOPE), h.perHeadScope() ? "head" : "all");
        m.put(key(PREFILL), h.prefillSparse() ? "sparse" : "full");
        m.put(key(DECODE), h.decodeSparse() ? "sparse" : "full");
        m.put(key(DENSE_BELOW), Long.toString(h.denseBelow()));
        m.put(key(KV_DTYPE), name(h.kvDtype()));
        m.put(key(KV_MAX_SIZE), h.kvMaxSize() + (h.kvMaxSize() == 0 ? " (no compression)" : ""));
        m.put(key(KV_WINDOW), Long.toString(h.kvWindow()));
        m.put(key(KV_MIN_SIZE), Long.toString(h.kvMinSize()));
        return m;
    }

    private static String key(Option option) {
        return option.name().substring(2);
    }

    private static String name(DType dtype) {
        return dtype.name().toLowerCase(Locale.ROOT);
    }
}
