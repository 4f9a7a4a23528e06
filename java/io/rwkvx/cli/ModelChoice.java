package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.Rwkvx;
import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.model.Architecture;
import io.rwkvx.tensor.DType;
import io.rwkvx.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Which model to open and how, from the options every command that loads a model shares: {@code --model},
 * the model options ({@link #OPTIONS}: threads, backend, tokenizer, weight placement, quantization) and the RWKV-X
 * options ({@link HybridChoice}).
 *
 * @param file          the model file, or null for the bundled default model
 * @param options       backend, thread count, weight placement and RWKV-X settings
 * @param tokenizer     loader of the --tokenizer override, or null for the model's own
 * @param command       the subcommand, for warnings
 * @param hybridOptions the RWKV-X options given, which a model of another architecture ignores
 */
record ModelChoice(
        Path file, ModelOptions options, Supplier<Tokenizer> tokenizer, String command, List<String> hybridOptions) {
    /** {@code --model} of the commands that need a model file. */
    static final Option MODEL = Option.value("--model", "PATH", "model file: rwkv.cpp .bin, .safetensors or .pth")
            .asRequired();
    /** {@code --model} of the commands that fall back to the bundled model. */
    static final Option MODEL_OR_BUNDLED =
            Option.value("--model", "PATH", "model file (default: the bundled tiny byte-level RWKV-7)");

    static final Option THREADS = Option.value("--threads", "N", "compute threads, 0 = all processors (default 0)");
    static final Option BACKEND = Option.choice(
            "--backend",
            List.of("auto", "native", "scalar", "reference"),
            "native: the C++ library; scalar: the same with portable kernels; reference: pure Java; "
                    + "auto (the default): native when the library loads, else reference");
    static final Option TOKENIZER = Option.value(
            "--tokenizer",
            "NAME",
            "world, neox (GPT-NeoX 20B) or bytes; default: the model's own by vocabulary size "
                    + "(65536 World, 50277 NeoX for RWKV-4 Pile, 256 bytes)");
    static final Option WEIGHTS = Option.choice(
            "--weights",
            List.of("resident", "in-place"),
            "where the native backend reads the weights from: resident (the default), its own copy laid out for "
                    + "the kernels, faster decode; in-place, the memory-mapped file used zero-copy");

    static final Option QUANTIZE = Option.choice(
            "--quantize",
            DType.quantized().stream().map(DType::name).toList(),
            "quantize the weights in memory after reading them, the matrices rwkv.cpp's quantizer would "
                    + "(not emb, head or RWKV-7's LoRA); needs an FP32, FP16 or BF16 model (default: as stored)");

    /** The model options, besides {@code --model}, of every command that loads a model. */
    static final OptionSpec.Group OPTIONS =
            new OptionSpec.Group("Model options", null, List.of(THREADS, BACKEND, TOKENIZER, WEIGHTS, QUANTIZE));

    /**
     * The options of a command that loads a model: {@code model} ({@link #MODEL} or {@link #MODEL_OR_BUNDLED}),
     * the command's own, then the model options and the RWKV-X options.
     */
    static OptionSpec spec(Option model, Option... own) {
        Option[] all = new Option[own.length + 1];
        all[0] = model;
        System.arraycopy(own, 0, all, 1, own.length);
        return OptionSpec.of(all).and(OPTIONS).and(HybridChoice.OPTIONS);
    }

    /** Reads the options; --model is required when the command declared {@link #MODEL}. */
    static ModelChoice from(Options o) throws UsageException {
        Path file = o.path(MODEL.name());
        int threads = o.intValue(THREADS.name(), 0, 0);
        BackendKind backend = switch (o.choice(BACKEND.name(), "auto")) {
            case "native" -> BackendKind.NATIVE;
            case "scalar" -> BackendKind.NATIVE_SCALAR;
            case "reference" -> BackendKind.REFERENCE;
            default -> BackendKind.AUTO;
        };
        WeightPlacement weights = o.choice(WEIGHTS.name(), "resident").equals("in-place")
                ? WeightPlacement.IN_PLACE
                : WeightPlacement.RESIDENT;
        String quantize = o.choice(QUANTIZE.name(), null);
        ModelOptions options = ModelOptions.defaults()
                .withThreads(threads)
                .withBackend(backend)
                .withWeights(weights)
                .withQuantization(quantize == null ? null : DType.valueOf(quantize))
                .withHybrid(HybridChoice.from(o));
        return new ModelChoice(
                file, options, TokenizerName.parse(o, TOKENIZER.name()), o.command(), HybridChoice.given(o));
    }

    /** Loads the model; warns on {@code io}'s stderr when RWKV-X options were given for another architecture. */
    Model open(Streams io) {
        ModelOptions opts = tokenizer == null ? options : options.withTokenizer(tokenizer.get());
        Model model = file == null ? Rwkvx.loadDefault(opts) : Rwkvx.load(file, opts);
        Architecture arch = model.config().arch();
        if (arch != Architecture.HYBRID && !hybridOptions.isEmpty())
            io.err()
                    .println("rwkvx " + command + ": warning: " + String.join(", ", hybridOptions) + " only "
                            + (hybridOptions.size() == 1 ? "applies" : "apply") + " to RWKV-X models; this "
                            + arch.displayName
                            + " model ignores " + (hybridOptions.size() == 1 ? "it" : "them"));
        return model;
    }
}
