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
    static final Option MODEL = Option.value("--model", "PATH", "use the tokenizer this model file calls for");
    static final Option VOCAB = Option.value(
            "--vocab", "NAME", "world (RWKV World, 65536 ids; the default), neox (GPT-NeoX 20B) or bytes (id = byte)");
    static final Option TOKENIZER =
            Option.value("--tokenizer", "NAME", "the same names; overrides the tokenizer of --model");

    /** The options of {@code tokenize} or {@code detokenize}: {@code own}, then those that pick the tokenizer. */
    static OptionSpec spec(Option own) {
        return OptionSpec.of(own, MODEL, VOCAB, TOKENIZER);
    }

    private TokenizerChoice() {}

    /** Resolves the options now (usage errors) and returns a loader for the tokenizer (run-time errors). */
    static Supplier<Tokenizer> from(Options o) throws UsageException {
        o.exclusive(MODEL.name(), VOCAB.name());
        o.exclusive(VOCAB.name(), TOKENIZER.name());
        Supplier<Tokenizer> named = TokenizerName.parse(o, TOKENIZER.name());
        if (named == null) named = TokenizerName.parse(o, VOCAB.name());
        Path model = o.path(MODEL.name());
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
