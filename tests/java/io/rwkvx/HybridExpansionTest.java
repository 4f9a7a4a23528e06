package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.format.HybridExpansion;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Block expansion: the tiny RWKV-7 with zero-initialised attention blocks computes the same logits. */
class HybridExpansionTest {
    @TempDir
    Path dir;

    private Path expanded(int a) {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w7 = ModelFiles.read(TestModels.FP32, arena);
            Path out = dir.resolve("x" + a + ".safetensors");
            HybridExpansion.writeCheckpoint(HybridExpansion.expand(w7, a, 1, arena), out, arena);
            return out;
        }
    }

    private static float maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test
    void expandedModelGivesTheOriginalLogits() {
        int[] tokens = TestModels.bytesOf(TestModels.LONG_PROMPT);
        try (Model m7 = TestModels.open(TestModels.FP32, BackendKind.NATIVE)) {
            int r = m7.config().nLayer();
            float[][] want;
            float[] wantSerial = null;
            try (Session s = m7.newSession()) {
                want = s.evalAll(tokens);
            }
            try (Session s = m7.newSession()) {
                for (int t : tokens) wantSerial = s.prefill(t);
            }
            for (int a : new int[] {1, 2, 3, 4, 6, 12}) {
                if (r % a != 0) continue;
                try (Model mx = TestModels.open(expanded(a), BackendKind.NATIVE);
                        Session s = mx.newSession();
                        Session serial = mx.newSession()) {
                    assertEquals(Architecture.HYBRID, mx.config().arch());
                    assertEquals(a, mx.config().nAttnLayer());
                    float[][] got = s.evalAll(tokens);
                    for (int t = 0; t < tokens.length; t++)
                        assertTrue(maxDiff(want[t], got[t]) < 1e-5f, "A=" + a + " position " + t);
                    float[] last = null;
                    for (int t : tokens) last = serial.prefill(t);
                    assertTrue(maxDiff(wantSerial, last) < 1e-5f, "A=" + a + " serial");
                }
            }
        }
    }

    @Test
    void hybridStateSavesAndLoadsMidSequence() {
        int[] tokens = TestModels.bytesOf(TestModels.LONG_PROMPT);
        try (Model mx = TestModels.open(expanded(2), BackendKind.NATIVE);
                Session a = mx.newSession();
                Session b = mx.newSession()) {
            a.prefill(java.util.Arrays.copyOf(tokens, 20));
            Path f = dir.resolve("hybrid.state");
            a.saveState(f);
            Session c = a.fork();
            b.loadState(f);
            int[] rest = java.util.Arrays.copyOfRange(tokens, 20, tokens.length);
            float[] want = a.prefill(rest);
            assertArrayEquals(want, b.prefill(rest));
            assertArrayEquals(want, c.prefill(rest));
            c.close();
        }
    }

    @Test
    void expansionRejectsANonDividingCount() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w7 = ModelFiles.read(TestModels.FP32, arena);
            int r = w7.config().nLayer();
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> HybridExpansion.expand(w7, r + 1, 1, arena));
            assertTrue(e.getMessage().contains("must divide the " + r + " RWKV-7 layers"), e.getMessage());
        }
    }
}
