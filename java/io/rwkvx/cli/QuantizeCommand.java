package io.rwkvx.cli;

import io.rwkvx.Quantizer;
import io.rwkvx.tensor.DType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code rwkvx quantize}: quantizes a model as rwkv.cpp's quantizer does ({@link Quantizer}) and writes an
 * rwkv.cpp file that rwkv.cpp loads too.
 */
final class QuantizeCommand implements Command {
    private static final List<String> TYPES =
            DType.quantized().stream().map(DType::name).toList();

    private static final Option MODEL = Option.value(
                    "--model", "PATH", "model to quantize: rwkv.cpp .bin (FP32/FP16), .safetensors or .pth")
            .asRequired();
    private static final Option OUT = Option.value("--out", "FILE", "the rwkv.cpp file to write (format version 101)")
            .asRequired();
    private static final Option TYPE = Option.choice(
                    "--type",
                    TYPES,
                    "block type of the quantized matrices, from the most bits (Q8_0) to the fewest (Q4_0)")
            .asRequired();
    private static final Option HEAD = Option.choice(
            "--head",
            TYPES,
            "also quantize head.weight, to this type (default: keep it, as rwkv.cpp does; it weighs on perplexity)");

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "quantize a model into an rwkv.cpp file (Q8_0, Q5_1, Q5_0, Q4_1 or Q4_0 blocks)";
    }

    @Override
    public String description() {
        return """
                Quantizes the tensors rwkv.cpp's quantizer quantizes (the 2-D weight matrices except
                emb.weight, head.weight and RWKV-7's LoRA matrices) to ggml's 32-element blocks, with
                ggml's rounding, so the blocks equal rwkv.cpp's byte for byte; keeps the rest as they
                are (BF16 becomes F32). Writes an rwkv.cpp file of format version 101 that rwkv.cpp
                and this program load.
                """;
    }

    @Override
    public OptionSpec options() {
        return OptionSpec.of(MODEL, OUT, TYPE, HEAD);
    }

    @Override
    public int run(Options o, Streams io) throws Exception {
        Path in = o.requirePath(MODEL.name());
        Path out = o.requirePath(OUT.name());
        DType type = DType.valueOf(o.choice(TYPE.name(), null));
        String head = o.choice(HEAD.name(), null);
        DType headType = head == null ? null : DType.valueOf(head);

        Quantizer.Summary s = Quantizer.quantizeFile(in, out, type, headType);
        io.out()
                .printf(
                        Locale.ROOT,
                        "wrote %s: %d tensors quantized to %s%s, %d kept; %s -> %s%n",
                        out,
                        s.quantized(),
                        type,
                        headType == null ? "" : " (head.weight to " + headType + ")",
                        s.kept(),
                        mib(s.inputBytes()),
                        mib(s.outputBytes()));
        return 0;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }
}
