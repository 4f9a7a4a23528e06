package io.rwkvx.cli;

import io.rwkvx.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** {@code rwkvx tokenize}: prints the token ids of a text. */
final class TokenizeCommand implements Command {
    private static final Option TEXT =
            Option.value("--text", "TEXT", "the text").asRequired();

    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public String summary() {
        return "print the token ids of a text";
    }

    @Override
    public String description() {
        return """
                Prints the token ids of TEXT (as UTF-8), comma-separated, then a newline. --model and --vocab
                exclude each other, as do --vocab and --tokenizer.
                """;
    }

    @Override
    public OptionSpec options() {
        return TokenizerChoice.spec(TEXT);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException {
        Supplier<Tokenizer> tokenizer = TokenizerChoice.from(o);
        String text = o.require(TEXT.name());
        int[] ids = tokenizer.get().encode(text);
        io.out().println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        return 0;
    }
}
