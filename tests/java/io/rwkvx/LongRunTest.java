package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import org.junit.jupiter.api.Test;

/** A long run of sessions, forks and snapshots releases every native handle it creates. */
class LongRunTest {
    @Test
    void repeatedSessionsForksAndSnapshotsLeaveNoNativeHandleBehind() {
        int[] tokens = TestModels.bytesOf("leak check");
        long before = Rwkvx.liveNativeHandles();
        try (Model model = TestModels.open(TestModels.FP32, BackendKind.NATIVE)) {
            long withModel = Rwkvx.liveNativeHandles();
            assertTrue(withModel >= before + 2, "a context and a model are live: " + before + " -> " + withModel);
            for (int i = 0; i < 300; i++) {
                try (Session s = model.newSession()) {
                    s.prefill(tokens);
                    State snap = s.snapshot();
                    try (Session fork = s.fork()) {
                        fork.prefill(tokens[i % tokens.length]);
                    }
                    s.restore(snap);
                }
                if (i % 50 == 0) assertEquals(withModel, Rwkvx.liveNativeHandles(), "after iteration " + i);
            }
            assertEquals(withModel, Rwkvx.liveNativeHandles(), "after 300 iterations");
            model.newSession().prefill(tokens); // left open: the model closes it
        }
        assertEquals(before, Rwkvx.liveNativeHandles(), "closing the model frees its sessions, model and context");
    }
}
