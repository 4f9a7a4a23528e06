package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.Session;
import io.rwkvx.State;
import io.rwkvx.common.RwkvxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code rwkvx logits}: writes the raw logits after a token list, optionally resuming from and saving a state. */
final class LogitsCommand implements Command {
    private static final Option OUT =
            Option.value("--out", "FILE", "where to write the logits").asRequired();
    private static final Option STATE_IN =
            Option.value("--state-in", "F", "first restore a state saved by --state-out");
    private static final Option STATE_OUT = Option.value("--state-out", "F", "afterwards save the state");

    @Override
    public String name() {
        return "logits";
    }

    @Override
    public String summary() {
        return "write the logits after a list of tokens to a file";
    }

    @Override
    public String description() {
        return """
                Evaluates the tokens and writes the logits after the last one to FILE:
                n_vocab float32 values, little-endian, no header.
                """;
    }

    @Override
    public OptionSpec options() {
        return ModelChoice.spec(ModelChoice.MODEL, Options.TOKENS, OUT, STATE_IN, STATE_OUT);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        ModelChoice choice = ModelChoice.from(o);
        int[] tokens = o.idList(Options.TOKENS.name());
        Path out = o.requirePath(OUT.name());
        Path stateIn = o.path(STATE_IN.name());
        Path stateOut = o.path(STATE_OUT.name());

        float[] logits;
        try (Model model = choice.open(io);
                Session session = model.newSession()) {
            int nVocab = model.config().nVocab();
            for (int i = 0; i < tokens.length; i++)
                if (tokens[i] >= nVocab)
                    throw new RwkvxException("token id " + tokens[i] + " at position " + i + " is out of range 0.."
                            + (nVocab - 1) + " of " + model.source());
            if (stateIn != null) restore(session, stateIn);
            logits = session.prefill(tokens);
            if (stateOut != null) session.saveState(stateOut);
        }
        ByteBuffer buf = ByteBuffer.allocate(logits.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(logits);
        Files.write(out, buf.array());
        return 0;
    }

    /** Like {@link Session#loadState} but naming the file once: State.load's messages already start with it. */
    private static void restore(Session session, Path file) {
        State state = State.load(file);
        try {
            session.restore(state);
        } catch (RwkvxException e) {
            throw new RwkvxException(file + ": " + e.getMessage(), e);
        }
    }
}
