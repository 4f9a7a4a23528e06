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
    public OptionSpec options() {
        return new OptionSpec().value(TokenizerChoice.OPTIONS).value("--tokens");
    }

    @Override
    public int run(Options o, Streams io) throws UsageException {
        Supplier<Tokenizer> tokenizer = TokenizerChoice.from(o);
        o.require("--tokens");
        int[] ids = o.idList("--tokens");
        io.out().println(tokenizer.get().decode(ids));
        return 0;
    }
}
