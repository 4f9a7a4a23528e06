package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.Rwkvx;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.backend.BackendKind;
import io.rwkvx.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Which model to open and how, from {@code --model}, {@code --threads}, {@code --backend},
 * {@code --tokenizer} (which overrides the tokenizer picked from the model's vocabulary size) and
 * {@code --mmap} (weights used in place from the mapped file instead of copied into native memory).
 *
 * @param file      the model file, or null for the bundled default model
 * @param options   backend, thread count and weight placement
 * @param tokenizer loader of the --tokenizer override, or null for the model's own
 */
record ModelChoice(Path file, ModelOptions options, Supplier<Tokenizer> tokenizer) {

    /**
     * @param required whether --model must be given (otherwise its absence means the default model)
     */
    static ModelChoice from(Options o, boolean required) throws UsageException {
        Path file = required ? o.requirePath("--model") : o.path("--model");
        int threads = o.intValue("--threads", 0, 0);
        WeightPlacement weights = o.flag(OptionSpec.MMAP) ? WeightPlacement.IN_PLACE : WeightPlacement.RESIDENT;
        return new ModelChoice(file, ModelOptions.defaults().withThreads(threads).withBackend(backend(o))
                .withWeights(weights), TokenizerName.parse(o, "--tokenizer"));
    }

    private static BackendKind backend(Options o) throws UsageException {
        String b = o.get("--backend");
        if (b == null) return BackendKind.AUTO;
        return switch (b) {
            case "auto" -> BackendKind.AUTO;
            case "native" -> BackendKind.NATIVE;
            case "scalar" -> BackendKind.NATIVE_SCALAR;
            case "reference" -> BackendKind.REFERENCE;
            default -> throw o.usage("option --backend must be auto, native, scalar or reference, got '" + b + "'");
        };
    }

    Model open() {
        ModelOptions opts = tokenizer == null ? options : options.withTokenizer(tokenizer.get());
        return file == null ? Rwkvx.loadDefault(opts) : Rwkvx.load(file, opts);
    }
}
