package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.format.RwkvCppReader;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** {@code rwkvx info}: describes a model file. */
final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public OptionSpec options() {
        return new OptionSpec().model();
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        ModelChoice choice = ModelChoice.from(o, true);
        try (Model model = choice.open()) {
            ModelConfig c = model.config();
            PrintStream out = io.out();
            line(out, "file", model.source().toString());
            line(out, "format", format(model.source()));
            line(out, "architecture", c.arch().displayName);
            line(out, "n_layer", c.nLayer());
            if (c.arch() == Architecture.HYBRID) {
                line(out, "n_attn_layer", c.nAttnLayer());
                line(out, "layer order", "an attention block after every " + c.nLayer() / c.nAttnLayer() + " RWKV-7 layers");
                line(out, "hybrid", hybrid(model.hybrid()));
            }
            line(out, "n_embd", c.nEmbd());
            line(out, "n_head", c.nHead());
            line(out, "head_size", c.headSize());
            line(out, "n_vocab", c.nVocab());
            line(out, "ffn_size", c.ffnSize());
            line(out, "parameters", String.format(Locale.ROOT, "%,d (%s)", model.parameterCount(),
                    scaled(model.parameterCount(), 1000, "", "K", "M", "B")));
            line(out, "weight bytes", String.format(Locale.ROOT, "%,d (%s)", model.weightBytes(),
                    scaled(model.weightBytes(), 1024, " B", " KiB", " MiB", " GiB")));
            line(out, "weight dtypes", dtypes(model.weights().tensors()));
            long stateBytes = c.stateFloats() * Float.BYTES;
            String kv = c.arch() == Architecture.HYBRID ? String.format(Locale.ROOT, " with empty KV caches, + %,d floats per token",
                    2L * c.nAttnLayer() * c.nEmbd()) : "";
            line(out, "state size", String.format(Locale.ROOT, "%,d floats (%s)%s", c.stateFloats(),
                    scaled(stateBytes, 1024, " B", " KiB", " MiB", " GiB"), kv));
            line(out, "tokenizer", model.tokenizer().name());
            line(out, "backend", model.backendDescription());
            line(out, "fingerprint", String.format("%016x", model.fingerprint()));
        }
        return 0;
    }

    /** The RWKV-X knobs in force (the defaults unless set through the API). */
    private static String hybrid(HybridConfig h) {
        return String.format(Locale.ROOT, "chunk %d, top-k %d, scope %s, prefill %s, decode %s, dense up to %d tokens, "
                        + "kv cache %s, kv compression %s", h.chunkSize(), h.topK(), h.perHeadScope() ? "head" : "all",
                h.prefillSparse() ? "sparse" : "full", h.decodeSparse() ? "sparse" : "full", h.denseBelow(),
                h.kvDtype().name().toLowerCase(Locale.ROOT), h.kvMaxSize() == 0 ? "off" : String.format(Locale.ROOT, "above %d (window %d, to %d)", h.kvMaxSize(),
                        h.kvWindow(), h.kvMinSize()));
    }

    private static void line(PrintStream out, String key, Object value) {
        out.printf(Locale.ROOT, "%-14s %s%n", key, value);
    }

    /** The container format, with the version field of rwkv.cpp headers (which also encodes the dtype). */
    private static String format(Path file) throws IOException {
        ModelFiles.Kind kind = ModelFiles.detect(file);
        if (kind == ModelFiles.Kind.SAFETENSORS) return "safetensors";
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 8) < 8) return "rwkv.cpp";
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        assert b.getInt(0) == RwkvCppReader.MAGIC;
        return "rwkv.cpp (file version " + b.getInt(4) + ")";
    }

    /** Tensor counts per element type, e.g. {@code F32 (170 tensors), F16 (12 tensors)}. */
    private static String dtypes(Map<String, Tensor> tensors) {
        Map<DType, Integer> counts = new EnumMap<>(DType.class);
        for (Tensor t : tensors.values()) counts.merge(t.dtype(), 1, Integer::sum);
        StringJoiner j = new StringJoiner(", ");
        counts.forEach((d, n) -> j.add(d + " (" + n + (n == 1 ? " tensor)" : " tensors)")));
        return j.toString();
    }

    private static String scaled(long value, int base, String... units) {
        double v = value;
        int u = 0;
        while (v >= base && u < units.length - 1) {
            v /= base;
            u++;
        }
        return u == 0 ? value + units[0] : String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }
}
