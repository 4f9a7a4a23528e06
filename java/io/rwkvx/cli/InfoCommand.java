package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.format.RwkvCppReader;
import io.rwkvx.model.Architecture;
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
import java.util.Arrays;
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
    public String summary() {
        return "describe a model file";
    }

    @Override
    public String description() {
        return """
                Prints the architecture, file format, sizes, parameter count, weight types (a count per
                type), state size, backend (with the weight placement) and fingerprint of a model; for
                RWKV-X also the attention-layer count, the layer order and every RWKV-X setting in
                effect, one per line under its option's name. Then every tensor as loaded (after
                --quantize, if given): its name, type and shape.
                """;
    }

    @Override
    public OptionSpec options() {
        return ModelChoice.spec(ModelChoice.MODEL);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        ModelChoice choice = ModelChoice.from(o);
        try (Model model = choice.open(io)) {
            ModelConfig c = model.config();
            PrintStream out = io.out();
            line(out, "file", model.source().toString());
            line(out, "format", format(model.source()));
            line(out, "architecture", c.arch().displayName);
            line(out, "n_layer", c.nLayer());
            if (c.arch() == Architecture.HYBRID) {
                line(out, "n_attn_layer", c.nAttnLayer());
                line(
                        out,
                        "layer order",
                        "an attention block after every " + c.nLayer() / c.nAttnLayer() + " RWKV-7 layers");
                HybridChoice.describe(model.hybrid()).forEach((key, value) -> line(out, key, value));
            }
            line(out, "n_embd", c.nEmbd());
            line(out, "n_head", c.nHead());
            line(out, "head_size", c.headSize());
            line(out, "n_vocab", c.nVocab());
            line(out, "ffn_size", c.ffnSize());
            line(
                    out,
                    "parameters",
                    String.format(
                            Locale.ROOT,
                            "%,d (%s)",
                            model.parameterCount(),
                            scaled(model.parameterCount(), 1000, "", "K", "M", "B")));
            line(
                    out,
                    "weight bytes",
                    String.format(
                            Locale.ROOT,
                            "%,d (%s)",
                            model.weightBytes(),
                            scaled(model.weightBytes(), 1024, " B", " KiB", " MiB", " GiB")));
            line(out, "weight dtypes", dtypes(model.weights().tensors()));
            long stateBytes = c.stateFloats() * Float.BYTES;
            long kvValues = 2L * c.nAttnLayer() * c.nEmbd();
            DType kvDtype = model.hybrid().kvDtype();
            String kv = c.arch() == Architecture.HYBRID
                    ? String.format(
                            Locale.ROOT,
                            " with empty KV caches, which hold %,d %s values (%,d bytes) per token",
                            kvValues,
                            kvDtype,
                            kvDtype.byteSize(kvValues))
                    : "";
            line(
                    out,
                    "state size",
                    String.format(
                            Locale.ROOT,
                            "%,d floats (%s)%s",
                            c.stateFloats(),
                            scaled(stateBytes, 1024, " B", " KiB", " MiB", " GiB"),
                            kv));
            line(out, "tokenizer", model.tokenizer().name());
            line(out, "backend", model.backendDescription());
            line(out, "fingerprint", String.format("%016x", model.fingerprint()));
            tensors(out, model.weights().tensors());
        }
        return 0;
    }

    /** Every tensor, one per line: name, type, shape (slowest dimension first). */
    private static void tensors(PrintStream out, Map<String, Tensor> tensors) {
        line(out, "tensors", tensors.size() + " (name, type, shape):");
        int width = tensors.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Tensor t : tensors.values()) {
            out.printf(Locale.ROOT, "  %-" + width + "s  %-4s  %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()));
        }
    }

    private static void line(PrintStream out, String key, Object value) {
        out.printf(Locale.ROOT, "%-16s %s%n", key, value);
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
