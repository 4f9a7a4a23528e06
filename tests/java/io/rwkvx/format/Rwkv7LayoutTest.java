package io.rwkvx.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The canonical RWKV-7 set checked directly on tensor maps (what readers cannot produce by themselves). */
class Rwkv7LayoutTest {
    private static void assertInvalid(Consumer<Map<String, Tensor>> edit, String fragment) {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(RwkvCppReaderTest.FP32, arena);
            Map<String, Tensor> m = new HashMap<>(w.tensors());
            edit.accept(m);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Rwkv7Layout.validate(m, "mem"));
            assertTrue(e.getMessage().startsWith("mem: "), e.getMessage());
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
    }

    private static void put(Map<String, Tensor> m, String name, DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        m.put(name, new Tensor(name, dtype, shape, Arena.ofAuto().allocate(dtype.byteSize(n))));
    }

    @Test
    void namesOfTheTinyModel() {
        List<String> names = Rwkv7Layout.tensorNames(12);
        assertEquals(6 + 12 * 33 - 3, names.size());
        assertEquals("emb.weight", names.get(0));
        assertTrue(names.contains("blocks.11.att.v2"));
        assertTrue(!names.contains("blocks.0.att.v1"));
    }

    @Test
    void vectorsMustBeF32() {
        assertInvalid(
                m -> put(m, "blocks.5.att.k_k", DType.F16, 64),
                "tensor 'blocks.5.att.k_k': expected dtype F32, found F16");
        assertInvalid(
                m -> put(m, "blocks.5.att.r_k", DType.BF16, 1, 64),
                "tensor 'blocks.5.att.r_k': expected dtype F32, found BF16");
    }

    @Test
    void headGeometryMustDivideTheWidth() {
        assertInvalid(
                m -> put(m, "blocks.0.att.r_k", DType.F32, 3, 20),
                "tensor 'blocks.0.att.r_k': expected shape [n_head, head_size] with n_head * head_size = 64, found [3, 20]");
        assertInvalid(
                m -> put(m, "blocks.7.att.r_k", DType.F32, 2, 32),
                "tensor 'blocks.7.att.r_k': expected shape [1, 64], found [2, 32]");
    }

    @Test
    void ffnSizeFromLayerZeroAppliesToAll() {
        assertInvalid(
                m -> put(m, "blocks.3.ffn.value.weight", DType.F16, 64, 128),
                "tensor 'blocks.3.ffn.value.weight': expected shape [64, 256], found [64, 128]");
    }

    @Test
    void embeddingMustBe2d() {
        assertInvalid(
                m -> put(m, "emb.weight", DType.F32, 256 * 64),
                "tensor 'emb.weight': expected shape [n_vocab, n_embd], found [16384]");
    }

    @Test
    void mapKeysMustMatchTensorNames() {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> m = new HashMap<>(
                    RwkvCppReader.read(RwkvCppReaderTest.FP32, arena).tensors());
            m.put("ln_out.bias", m.get("ln_out.weight"));
            assertThrows(IllegalArgumentException.class, () -> Rwkv7Layout.validate(m, "mem"));
        }
    }

    @Test
    void manyMissingTensorsAreSummarised() {
        assertInvalid(
                m -> m.keySet().removeIf(n -> n.startsWith("blocks.2.att.")),
                "missing 26 tensors: 'blocks.2.att.x_r', 'blocks.2.att.x_w'");
        assertInvalid(m -> m.keySet().removeIf(n -> n.startsWith("blocks.2.att.")), "and 18 more");
    }
}
