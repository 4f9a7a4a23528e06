package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.backend.nativelib.NativeBackend;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.HybridConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link WeightPlacement}: resident (copied into native memory, matrices re-laid out in blocks) and mapped
 * (used in place) weights give the same logits on every architecture and weight format of the tiny test
 * models (bit for bit in the packed multi-token products, up to float32 rounding in the single-token
 * ones, which sum in another order), the native context says which placement it has, and the options
 * default to resident.
 */
class WeightPlacementTest {
    /**
     * A prefill of more tokens than the skinny products take (a GEMM from 17 rows: native/cpu/avx2/avx2.h), then
     * single-token steps.
     */
    private static final int[] PREFILL = TestModels.bytesOf("The quick brown fox jumps over");

    private static final int[] STEPS = TestModels.bytesOf(" fox");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "RWKV7, models/tiny-rwkv-7v0-834K-FP32.bin",
        "RWKV7, tests/data/tiny-rwkv-7v0-834K-FP16.bin",
        "RWKV4, tests/data/tiny-rwkv-4v0-660K-FP32.bin",
        "RWKV4, tests/data/tiny-rwkv-4v0-660K-FP16.bin",
        "RWKV5, tests/data/tiny-rwkv-5v2-730K-FP32.bin",
        "RWKV6, tests/data/tiny-rwkv-6v0-1m-FP32.bin",
    })
    void residentAndInPlaceWeightsGiveTheSameLogits(Architecture arch, Path file) {
        List<float[]> resident = run(file, arch, WeightPlacement.RESIDENT, "weights: resident");
        List<float[]> mapped = run(file, arch, WeightPlacement.IN_PLACE, "weights: in place");
        assertEquals(PREFILL.length + STEPS.length, resident.size());
        // The prefill packs the same fp32 panels from either layout: identical bits.
        for (int i = 0; i < PREFILL.length; i++)
            assertArrayEquals(bits(mapped.get(i)), bits(resident.get(i)), file + ": logits after token " + i);
        // Single tokens run the blocked GEMV: another summation order, so float32 rounding apart. A
        // misplaced weight would move logits by far more.
        for (int i = PREFILL.length; i < resident.size(); i++) {
            float[] want = mapped.get(i);
            double scale = 0;
            for (float f : want) scale = Math.max(scale, Math.abs(f));
            double diff = TestModels.maxAbsDiff(resident.get(i), want);
            assertTrue(diff <= 1e-5 * (1 + scale), file + ": logits after token " + i + " differ by " + diff);
        }
        // Not trivially equal: real, position-dependent logits.
        float[] last = resident.getLast();
        for (float f : last) assertTrue(Float.isFinite(f), "finite logits");
        assertTrue(TestModels.maxAbsDiff(last, resident.getFirst()) > 0.1, "logits change along the sequence");
    }

    /** Logits after every prefill position (one sequence call), then after each single-token step. */
    private static List<float[]> run(Path file, Architecture arch, WeightPlacement weights, String described) {
        List<float[]> logits = new ArrayList<>();
        try (Model model = TestModels.open(file, BackendKind.NATIVE, weights);
                Session s = model.newSession()) {
            assertEquals(arch, model.config().arch());
            assertTrue(model.backendDescription().contains(described), model.backendDescription());
            logits.addAll(Arrays.asList(s.evalAll(PREFILL)));
            for (int t : STEPS) logits.add(s.prefill(t));
        }
        return logits;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    @Test
    void nativeContextDescribesThePlacement() {
        for (BackendKind kind : new BackendKind[] {BackendKind.NATIVE, BackendKind.NATIVE_SCALAR}) {
            try (Model resident = TestModels.open(TestModels.FP32, kind, WeightPlacement.RESIDENT);
                    Model mapped = TestModels.open(TestModels.FP32, kind, WeightPlacement.IN_PLACE)) {
                assertTrue(
                        resident.backendDescription().contains(", weights: resident)"), resident.backendDescription());
                assertTrue(mapped.backendDescription().contains(", weights: in place)"), mapped.backendDescription());
                assertTrue(
                        resident.describe().contains("weights: resident"),
                        "Model.describe names it: " + resident.describe());
            }
        }
        // The low-level constructors from before placements existed keep borrowing the caller's memory.
        try (NativeBackend legacy = new NativeBackend(NativeBackend.Device.CPU, 1, false);
                NativeBackend explicit =
                        new NativeBackend(NativeBackend.Device.CPU, 1, false, WeightPlacement.RESIDENT)) {
            assertTrue(legacy.describe().contains("weights: in place"), legacy.describe());
            assertTrue(explicit.describe().contains("weights: resident"), explicit.describe());
        }
        assertThrows(IllegalArgumentException.class, () -> new NativeBackend(NativeBackend.Device.CPU, 1, false, null));
    }

    @Test
    void residentModelsFreeEveryNativeHandle() {
        long before = Rwkvx.liveNativeHandles();
        for (int i = 0; i < 3; i++) {
            try (Model model = TestModels.open(TestModels.FP32, BackendKind.NATIVE, WeightPlacement.RESIDENT);
                    Session s = model.newSession()) {
                s.prefill(PREFILL);
                assertTrue(Rwkvx.liveNativeHandles() >= before + 3, "context, model and state are live");
            }
            assertEquals(before, Rwkvx.liveNativeHandles(), "after closing model " + i);
        }
    }

    @Test
    void optionsDefaultToResidentWeights() {
        assertEquals(WeightPlacement.RESIDENT, ModelOptions.defaults().weights());
        assertEquals(WeightPlacement.RESIDENT, new ModelOptions(BackendKind.NATIVE, 2, null).weights());
        assertEquals(
                WeightPlacement.RESIDENT,
                new ModelOptions(BackendKind.NATIVE, 2, null, HybridConfig.defaults()).weights());
        ModelOptions mapped = ModelOptions.defaults().withThreads(3).withWeights(WeightPlacement.IN_PLACE);
        assertEquals(WeightPlacement.IN_PLACE, mapped.weights());
        assertEquals(3, mapped.threads());
        // every other with* keeps the placement
        assertEquals(
                WeightPlacement.IN_PLACE,
                mapped.withBackend(BackendKind.REFERENCE)
                        .withThreads(1)
                        .withTokenizer(null)
                        .withHybrid(HybridConfig.defaults())
                        .weights());
        assertThrows(
                IllegalArgumentException.class, () -> ModelOptions.defaults().withWeights(null));
    }

    @Test
    void theReferenceBackendIgnoresThePlacement() {
        try (Model resident = TestModels.open(TestModels.FP32, BackendKind.REFERENCE, WeightPlacement.RESIDENT);
                Model mapped = TestModels.open(TestModels.FP32, BackendKind.REFERENCE, WeightPlacement.IN_PLACE);
                Session a = resident.newSession();
                Session b = mapped.newSession()) {
            assertEquals(resident.backendDescription(), mapped.backendDescription());
            assertArrayEquals(bits(a.prefill(TestModels.GOLDEN_TOKENS)), bits(b.prefill(TestModels.GOLDEN_TOKENS)));
        }
    }
}
