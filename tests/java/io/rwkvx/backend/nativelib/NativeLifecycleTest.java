package io.rwkvx.backend.nativelib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.Rwkvx;
import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.model.ModelWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The native adapters' lifecycles: a close that the library refuses (the model still has states, the
 * context still has models: {@code RWKVX_ERROR_IN_USE}) throws {@link RwkvxException} with the library's
 * message and leaves everything usable; closing in order frees every handle; closes are idempotent; a call
 * after close throws {@link IllegalStateException} instead of reaching native code.
 */
class NativeLifecycleTest {
    private static final Path MODEL = Path.of("models/tiny-rwkv-7v0-834K-FP32.bin");

    @Test
    void refusedClosesThrowAndLeaveEverythingUsable() {
        long live = Rwkvx.liveNativeHandles();
        try (Arena arena = Arena.ofShared()) {
            ModelWeights weights = ModelFiles.read(MODEL, arena);
            NativeBackend backend = new NativeBackend(NativeBackend.Device.CPU, 1, false, WeightPlacement.IN_PLACE);
            ModelExecutor executor = backend.load(weights);
            BackendState state = executor.newState();
            int vocab = executor.config().nVocab();
            MemorySegment logits = arena.allocate(ValueLayout.JAVA_FLOAT, vocab);

            RwkvxException model = assertThrows(RwkvxException.class, executor::close);
            assertTrue(
                    model.getMessage().contains("RWKVX_ERROR_IN_USE")
                            && model.getMessage().contains("the model still has 1 state"),
                    model.getMessage());
            RwkvxException context = assertThrows(RwkvxException.class, backend::close);
            assertTrue(
                    context.getMessage().contains("RWKVX_ERROR_IN_USE")
                            && context.getMessage().contains("the context still has 1 model"),
                    context.getMessage());

            // Still usable: the same logits as a fresh state's.
            executor.eval(state, new int[] {34, 105}, logits, LogitsMode.LAST);
            float[] first = logits.toArray(ValueLayout.JAVA_FLOAT);
            try (BackendState other = executor.newState()) {
                executor.eval(other, new int[] {34, 105}, logits, LogitsMode.LAST);
                assertArrayEquals(first, logits.toArray(ValueLayout.JAVA_FLOAT));
            }
            BackendState copy = state.copy();
            assertEquals(state.byteSize(), copy.byteSize());

            state.close();
            copy.close();
            assertDoesNotThrow(state::close, "close is idempotent");
            executor.close();
            assertDoesNotThrow(executor::close, "close is idempotent");
            backend.close();
            assertDoesNotThrow(backend::close, "close is idempotent");

            // After close: IllegalStateException, no native call.
            assertThrows(IllegalStateException.class, state::byteSize);
            assertThrows(IllegalStateException.class, state::reset);
            assertThrows(IllegalStateException.class, copy::copy);
            assertThrows(IllegalStateException.class, executor::newState);
            assertThrows(IllegalStateException.class, backend::threads);
            assertThrows(IllegalStateException.class, () -> backend.load(weights));
            assertThrows(
                    IllegalStateException.class, () -> executor.eval(state, new int[] {1}, logits, LogitsMode.LAST));
        }
        assertEquals(live, Rwkvx.liveNativeHandles(), "every native handle freed");
    }

    @Test
    void exportIntoASmallBufferIsRefusedBeforeNativeCode() {
        try (Arena arena = Arena.ofShared();
                NativeBackend backend = new NativeBackend(NativeBackend.Device.CPU, 1, false)) {
            ModelWeights weights = ModelFiles.read(MODEL, arena);
            try (ModelExecutor executor = backend.load(weights);
                    BackendState state = executor.newState()) {
                MemorySegment small = arena.allocate(state.byteSize() - 4);
                assertThrows(IllegalArgumentException.class, () -> state.exportTo(small));
            }
        }
    }
}
