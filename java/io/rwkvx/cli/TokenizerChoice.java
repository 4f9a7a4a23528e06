package io.rwkvx.cli;

import io.rwkvx.RwkvxException;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.tokenizer.ByteTokenizer;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.Tokenizers;
import io.rwkvx.tokenizer.WorldTokenizer;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.Supplier;

/** The tokenizer of {@code tokenize} and {@code detokenize}: the model's ({@code --model}) or a named vocabulary ({@code --vocab}). */
final class TokenizerChoice {
    static final String[] OPTIONS = {"--model", "--vocab"};

    private TokenizerChoice() {}

    /** Resolves the options now (usage errors) and returns a loader for the tokenizer (run-time errors). */
    static Supplier<Tokenizer> from(Options o) throws UsageException {
        o.exclusive("--model", "--vocab");
        Path model = o.path("--model");
        if (model != null) return () -> ofModel(model);
        String vocab = o.get("--vocab");
        if (vocab == null || vocab.equals("world")) return WorldTokenizer::bundled;
        if (vocab.equals("bytes")) return ByteTokenizer::new;
        throw o.usage("option --vocab must be world or bytes, got '" + vocab + "'");
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
