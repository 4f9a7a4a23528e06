package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.Session;
import io.rwkvx.State;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code rwkvx logits}: writes the raw logits after a token list, optionally resuming from and saving a state. */
final class LogitsCommand implements Command {
    @Override
    public String name() {
        return "logits";
    }

    @Override
    public OptionSpec options() {
        return new OptionSpec().model().value("--tokens", "--out", "--state-in", "--state-out");
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        ModelChoice choice = ModelChoice.from(o, true);
        o.require("--tokens");
        int[] tokens = o.idList("--tokens");
        Path out = o.requirePath("--out");
        Path stateIn = o.path("--state-in");
        Path stateOut = o.path("--state-out");

        float[] logits;
        try (Model model = choice.open(); Session session = model.newSession()) {
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
