package io.rwkvx.backend;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.model.ModelConfig;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** A model loaded into a backend. Thread-safe: many states may be evaluated concurrently. */
public interface ModelExecutor extends AutoCloseable {
    /**
     * The model's shape.
     *
     * @return the architecture and sizes the executor was loaded with
     */
    ModelConfig config();

    /**
     * Creates a state for a new sequence.
     *
     * @return a fresh start-of-sequence state; the caller owns it and closes it before this executor
     */
    BackendState newState();

    /**
     * Runs {@code tokens} from {@code state} (updated in place).
     *
     * @param state  a state of this executor
     * @param tokens the token ids to run, at least one, each in {@code [0, n_vocab)}
     * @param logits host floats for {@code mode}: {@code n_vocab} (LAST) or {@code tokens.length * n_vocab}
     *               (ALL); ignored for NONE
     * @param mode   which logits to write
     * @throws RwkvxException if a token is out of range, the state belongs to another executor or the
     *                        native call fails
     */
    void eval(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode);

    /**
     * Runs several independent sequences (distinct states of this executor) as one call, each item as
     * {@link #eval} would: logits equal up to float32 rounding. Backends override it with one pass over the
     * weights for the whole batch; this default runs the items one after another. Two items with one state
     * and tokens out of range are refused before anything runs ({@link RwkvxException} naming the item, as
     * the native call's).
     *
     * @param items the sequences, each with its own state of this executor
     */
    default void evalBatch(List<BatchItem> items) {
        int vocab = config().nVocab();
        for (int i = 0; i < items.size(); i++) {
            BatchItem it = items.get(i);
            for (int j = 0; j < i; j++)
                if (items.get(j).state() == it.state())
                    throw new RwkvxException(
                            "items[" + i + "]: state is also items[" + j + "]'s; each item needs its own");
            int[] tokens = it.tokens();
            for (int p = 0; p < tokens.length; p++)
                if (tokens[p] < 0 || tokens[p] >= vocab)
                    throw new RwkvxException("items[" + i + "]: token " + tokens[p] + " at position " + p
                            + " is out of range [0, " + vocab + ")");
        }
        for (BatchItem it : items) eval(it.state(), it.tokens(), it.logits(), it.mode());
    }

    /**
     * Whether the executor copied the weights.
     *
     * @return true if it made its own copy (then the caller's mapped file may be paged out), false if it
     *         reads the caller's memory in place
     */
    default boolean copiedWeights() {
        return false;
    }

    /** Frees the loaded model; its states must be closed first. */
    @Override
    void close();
}
