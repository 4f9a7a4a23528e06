package io.rwkvx.cli;

import io.rwkvx.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** {@code rwkvx tokenize}: prints the token ids of a text. */
final class TokenizeCommand implements Command {
    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public OptionSpec options() {
        return new OptionSpec().value(TokenizerChoice.OPTIONS).value("--text");
    }

    @Override
    public int run(Options o, Streams io) throws UsageException {
        Supplier<Tokenizer> tokenizer = TokenizerChoice.from(o);
        String text = o.require("--text");
        int[] ids = tokenizer.get().encode(text);
        io.out().println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        return 0;
    }
}
