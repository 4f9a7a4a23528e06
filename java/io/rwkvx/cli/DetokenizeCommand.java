package io.rwkvx.cli;

import io.rwkvx.tokenizer.Tokenizer;
import java.util.function.Supplier;

/** {@code rwkvx detokenize}: prints the text of a list of token ids, followed by a newline. */
final class DetokenizeCommand implements Command {

    @Override
    public String name() {
        return "detokenize";
    }

    @Override
    public String summary() {
        return "print the text of a list of token ids";
    }

    @Override
    public String description() {
        return """
                Prints the text of the token ids, then a newline. Invalid UTF-8 becomes U+FFFD. --model and
                --vocab exclude each other, as do --vocab and --tokenizer.
                """;
    }

    @Override
    public OptionSpec options() {
        return TokenizerChoice.spec(Options.TOKENS);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException {
        Supplier<Tokenizer> tokenizer = TokenizerChoice.from(o);
        int[] ids = o.idList(Options.TOKENS.name());
        io.out().println(tokenizer.get().decode(ids));
        return 0;
    }
}
