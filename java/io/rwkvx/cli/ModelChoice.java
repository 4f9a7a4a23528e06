package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.Rwkvx;
import io.rwkvx.backend.BackendKind;
import java.nio.file.Path;

/**
 * Which model to open and how, from {@code --model}, {@code --threads} and {@code --backend}.
 *
 * @param file    the model file, or null for the bundled default model
 * @param options backend and thread count
 */
record ModelChoice(Path file, ModelOptions options) {

    /**
     * @param required whether --model must be given (otherwise its absence means the default model)
     */
    static ModelChoice from(Options o, boolean required) throws UsageException {
        Path file = required ? o.requirePath("--model") : o.path("--model");
        int threads = o.intValue("--threads", 0, 0);
        return new ModelChoice(file, ModelOptions.defaults().withThreads(threads).withBackend(backend(o)));
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
        return file == null ? Rwkvx.loadDefault(options) : Rwkvx.load(file, options);
    }
}
