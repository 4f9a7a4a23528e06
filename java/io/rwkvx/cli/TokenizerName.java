package io.rwkvx.cli;

import io.rwkvx.tokenizer.ByteTokenizer;
import io.rwkvx.tokenizer.NeoxTokenizer;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.WorldTokenizer;
import java.util.function.Supplier;

/** The tokenizers a user can name with {@code --tokenizer} (or {@code --vocab}): world, neox, bytes. */
final class TokenizerName {
    private TokenizerName() {}

    /** A loader for the named tokenizer (loading waits until it is needed), or null when {@code option} is absent. */
    static Supplier<Tokenizer> parse(Options o, String option) throws UsageException {
        String name = o.get(option);
        if (name == null) return null;
        return switch (name) {
            case "world" -> WorldTokenizer::bundled;
            case "neox", "20b" -> NeoxTokenizer::bundled;
            case "bytes" -> ByteTokenizer::new;
            default -> throw o.usage("option " + option + " must be world, neox or bytes, got '" + name + "'");
        };
    }
}
