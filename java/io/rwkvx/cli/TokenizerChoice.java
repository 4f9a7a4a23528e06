package io.rwkvx.cli;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.Tokenizers;
import io.rwkvx.tokenizer.WorldTokenizer;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The tokenizer of {@code tokenize} and {@code detokenize}: a named one ({@code --vocab}, or
 * {@code --tokenizer}, which also overrides {@code --model}: world, neox, bytes), else the model's
 * ({@code --model}), else World.
 */
final class TokenizerChoice {
    static final String[] OPTIONS = {"--model", "--vocab", "--tokenizer"};

    private TokenizerChoice() {}

    /** Resolves the options now (usage errors) and returns a loader for the tokenizer (run-time errors). */
    static Supplier<Tokenizer> from(Options o) throws UsageException {
        o.exclusive("--model", "--vocab");
        o.exclusive("--vocab", "--tokenizer");
        Supplier<Tokenizer> named = TokenizerName.parse(o, "--tokenizer");
        if (named == null) named = TokenizerName.parse(o, "--vocab");
        Path model = o.path("--model");
        if (named != null) return named;
        if (model != null) return () -> ofModel(model);
        return WorldTokenizer::bundled;
    }

    /** The tokenizer a model file calls for; reads (maps) its weights only to learn n_vocab, no backend starts. */
    private static Tokenizer ofModel(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            int nVocab = ModelFiles.read(file, arena).config().nVocab();
            try {
                return Tokenizers.forVocabSize(nVocab);
            } catch (IllegalArgumentException e) {
                throw new RwkvxException(file + ": " + e.getMessage());
            }
        }
    }
}
