package io.rwkvx.backend.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.Rwkvx;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.common.WeightPlacement;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeBackend#device()}: the device a native backend's context runs on, as the library reports it
 * ({@code rwkvx_context_backend}). CPU asks for the CPU; AUTO takes CUDA where it is usable and otherwise falls
 * back to the CPU, saying why in {@link NativeBackend#describe()}; CUDA is refused with the reason where it is not
 * usable (on a machine without a GPU, or with a library built without CUDA).
 */
class NativeDeviceTest {

    /** A CUDA backend's refusal, or null when one can be made here (then its device was checked). */
    private static RwkvxException cudaRefusal() {
        try (NativeBackend cuda = new NativeBackend(NativeBackend.Device.CUDA, 1, false)) {
            assertEquals(NativeBackend.Device.CUDA, cuda.device());
            return null;
        } catch (RwkvxException e) {
            return e;
        }
    }

    @Test
    void cpuBackendRunsOnTheCpu() {
        try (NativeBackend cpu = new NativeBackend(NativeBackend.Device.CPU, 1, false, WeightPlacement.IN_PLACE)) {
            assertEquals(NativeBackend.Device.CPU, cpu.device());
            assertTrue(cpu.describe().startsWith("native cpu ("), cpu.describe());
        }
    }

    @Test
    void autoBackendReportsWhatItChose() {
        RwkvxException cuda = cudaRefusal();
        try (NativeBackend auto = new NativeBackend(NativeBackend.Device.AUTO, 1, false)) {
            if (cuda == null) {
                assertEquals(NativeBackend.Device.CUDA, auto.device(), auto.describe());
            } else {
                assertEquals(NativeBackend.Device.CPU, auto.device(), auto.describe());
                assertTrue(auto.describe().contains("cuda: "), "says why the GPU was not used: " + auto.describe());
            }
        }
    }

    @Test
    void cudaBackendIsRefusedWithTheReasonWhereNoDeviceIsUsable() {
        long live = Rwkvx.liveNativeHandles();
        RwkvxException cuda = cudaRefusal();
        if (cuda == null) return; // a usable GPU: cudaRefusal checked the device
        String message = cuda.getMessage();
        assertTrue(message.startsWith("rwkvx_context_create failed: RWKVX_ERROR_UNSUPPORTED: "), message);
        assertTrue(message.matches("(?s).*CUDA[^:]*:\\s*\\S.*"), "gives the reason: " + message);
        assertEquals(live, Rwkvx.liveNativeHandles(), "a refused backend leaves no native handle");
    }

    @Test
    void deviceAfterCloseThrowsWithoutReachingNativeCode() {
        NativeBackend backend = new NativeBackend(NativeBackend.Device.CPU, 1, false);
        backend.close();
        assertThrows(IllegalStateException.class, backend::device);
    }
}
