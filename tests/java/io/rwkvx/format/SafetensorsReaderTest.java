package io.rwkvx.format;

import static io.rwkvx.format.FormatAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.backend.reference.ReferenceBackend;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * BlinkDL-layout safetensors checkpoints: a small random RWKV-7 (C=16, H=2, N=8, 3 layers) written as
 * F32 and BF16 must load to exactly the weights, and the exact forward, of the same model written as an
 * rwkv.cpp file; malformed headers are rejected with clear messages.
 */
class SafetensorsReaderTest {
    static final int C = 16, H = 2, L = 3, V = 40, F = 64, D = 4;
    static final int[] TOKENS = {1, 5, 39, 0, 17, 17, 8};

    @TempDir
    Path dir;

    private static SyntheticRwkv7 model() {
        return new SyntheticRwkv7(42, C, H, L, V, F, D);
    }

    private static void assertRejectedFile(Path file, String... fragments) {
        assertRejected(SafetensorsReader::read, file, fragments);
    }

    @ParameterizedTest(name = "matrices {0}, vectors {1}, prefix ''{2}''")
    @CsvSource({"F32, F32, ''", "BF16, BF16, ''", "BF16, F32, rwkv.", "F16, BF16, rwkv."})
    void loadsBlinkDlCheckpoint(String matrixDtype, String vectorDtype, String prefix) throws IOException {
        Path file = model().safetensors(matrixDtype, vectorDtype, prefix).write(dir.resolve("m.safetensors"));
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = SafetensorsReader.read(file, arena);
            assertEquals(new ModelConfig(Architecture.RWKV7, L, C, H, C / H, V, F), w.config());
            assertEquals(Rwkv7Layout.tensorNames(L).size(), w.tensors().size());
            DType md = DType.valueOf(matrixDtype);
            assertEquals(md, w.get("emb.weight").dtype());
            assertEquals(md, w.get("blocks.1.att.v1").dtype(), "LoRA keeps its dtype");
            assertArrayEquals(new long[] {D, C}, w.get("blocks.1.att.v1").shape());
            assertArrayEquals(new long[] {C, D}, w.get("blocks.1.att.v2").shape());
            for (String v :
                    new String[] {"blocks.2.att.x_g", "blocks.2.att.k_k", "blocks.0.ln0.bias", "blocks.2.ffn.x_k"}) {
                assertEquals(DType.F32, w.get(v).dtype(), v);
                assertArrayEquals(new long[] {C}, w.get(v).shape(), v);
            }
            assertEquals(DType.F32, w.get("blocks.2.att.r_k").dtype());
            assertArrayEquals(new long[] {H, C / H}, w.get("blocks.2.att.r_k").shape());
        }
    }

    @Test
    void matricesAreZeroCopyViews() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "");
        Path file = st.write(dir.resolve("m.safetensors"));
        long dataStart = 8 + (st.header().length() + 7) / 8 * 8;
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = SafetensorsReader.read(file, arena);
            // emb.weight is the first tensor: a view starts exactly at the data section of the page-aligned mapping.
            assertEquals(dataStart % 4096, w.get("emb.weight").data().address() % 4096);
        }
    }

    /** Both readers' canonicalisation must agree: same tensors, bit-identical forward. */
    @ParameterizedTest(name = "matrices {0}, vectors {1}")
    @CsvSource({"F32, F32", "BF16, BF16", "BF16, F32"})
    void sameWeightsAndForwardAsRwkvCppFile(String matrixDtype, String vectorDtype) throws IOException {
        SyntheticRwkv7 m = model();
        Path st = m.safetensors(matrixDtype, vectorDtype, "").write(dir.resolve("m.safetensors"));
        Path cpp = m.writeRwkvCpp(dir.resolve("m.bin"));
        try (Arena arena = Arena.ofConfined();
                ReferenceBackend backend = new ReferenceBackend()) {
            ModelWeights a = SafetensorsReader.read(st, arena);
            ModelWeights b = RwkvCppReader.read(cpp, arena);
            assertEquals(a.config(), b.config());
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) {
                Tensor other = b.get(e.getKey());
                assertArrayEquals(other.shape(), e.getValue().shape(), e.getKey());
                assertArrayEquals(other.toFloatArray(), e.getValue().toFloatArray(), e.getKey());
            }
            float[] la = forward(backend, a, arena), lb = forward(backend, b, arena);
            assertArrayEquals(lb, la);
            for (float x : la) assertTrue(Float.isFinite(x));
            assertTrue(spread(la) > 0.1, "logits should depend on the input");
        }
    }

    private static float[] forward(ReferenceBackend backend, ModelWeights w, Arena arena) {
        try (ModelExecutor ex = backend.load(w);
                BackendState s = ex.newState()) {
            MemorySegment out = arena.allocate((long) TOKENS.length * V * 4, 4);
            ex.eval(s, TOKENS, out, LogitsMode.ALL);
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static double spread(float[] v) {
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return hi - lo;
    }

    @Test
    void layerZeroValueResidualIsDropped() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "");
        st.add("blocks.0.att.v0", "F32", new long[] {1, 1, C}, new float[C]);
        st.add("blocks.0.att.v1", "F32", new long[] {C, D}, new float[C * D]);
        st.add("blocks.0.att.v2", "F32", new long[] {D, C}, new float[C * D]);
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = SafetensorsReader.read(st.write(dir.resolve("v.safetensors")), arena);
            assertFalse(w.has("blocks.0.att.v0"));
        }
    }

    @Test
    void rwkvXCheckpointWithNarrowEmbeddingIsRefused() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "rwkv.");
        st.add("moba.0.ln1.weight", "F32", new long[] {C}, new float[C]);
        assertRejectedFile(
                st.write(dir.resolve("x.safetensors")),
                "RWKV-X attention needs n_embd divisible by 64",
                "'moba.0.ln1.weight'");
    }

    @Test
    void mixedPrefixesAreUnexpectedTensors() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "");
        st.add("rwkv.extra", "F32", new long[] {C}, new float[C]);
        assertRejectedFile(
                st.write(dir.resolve("p.safetensors")), "unexpected tensor not part of RWKV-7: 'rwkv.extra'");
    }

    @Test
    void missingTensor() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "");
        st.entries.removeIf(e -> e.name().equals("blocks.2.att.k_a"));
        assertRejectedFile(st.write(dir.resolve("m.safetensors")), "missing tensor 'blocks.2.att.k_a'");
    }

    @Test
    void loraInLinearLayoutIsRejected() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "");
        st.entries.replaceAll(e -> e.name().equals("blocks.1.att.a1")
                ? new SafetensorsTestFile.Entry(e.name(), e.dtype(), new long[] {D, C}, e.data())
                : e);
        assertRejectedFile(
                st.write(dir.resolve("l.safetensors")),
                "tensor 'blocks.1.att.a1': expected shape [16, D] (BlinkDL checkpoint layout), found [4, 16]");
    }

    @Test
    void misShapedVector() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "");
        st.entries.replaceAll(e -> e.name().equals("blocks.1.att.w0")
                ? new SafetensorsTestFile.Entry(e.name(), e.dtype(), new long[] {1, 2, C / 2}, e.data())
                : e);
        assertRejectedFile(
                st.write(dir.resolve("v.safetensors")),
                "tensor 'blocks.1.att.w0': expected shape [16], found [1, 2, 8]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "F64     | tensor 'head.weight': dtype F64 is not supported; expected F32, F16 or BF16",
                "I8      | tensor 'head.weight': dtype I8 is not supported",
                "F8_E4M3 | tensor 'head.weight': dtype F8_E4M3 is not supported",
                "Q4      | tensor 'head.weight': unknown dtype \"Q4\"",
            })
    void unsupportedDtype(String dtype, String fragment) throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "");
        String header = st.header()
                .replace("\"head.weight\":{\"dtype\":\"F32\"", "\"head.weight\":{\"dtype\":\"" + dtype + "\"");
        assertRejectedFile(SafetensorsTestFile.write(dir.resolve("d.safetensors"), header, st.data()), fragment);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "trailing comma  | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}                    | not valid JSON: unexpected '}', expected a string key",
                "truncated       | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}                       | not valid JSON: unexpected end of input",
                "single quotes   | {'a':1}                                                                               | not valid JSON: unexpected ''', expected a string key",
                "duplicate key   | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} | duplicate key \"a\"",
                "not an object   | [1,2]                                                                                 | header must be a JSON object",
                "bad entry       | {\"a\":5}                                                                             | tensor 'a': header entry is not a JSON object",
                "no dtype        | {\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}                                          | tensor 'a': missing or non-string \"dtype\"",
                "bad shape       | {\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}                       | tensor 'a': \"shape\" must hold non-negative integers",
                "float shape     | {\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}                      | tensor 'a': \"shape\" must hold non-negative integers",
                "3 offsets       | {\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}                      | tensor 'a': \"data_offsets\" must be an array of 2 non-negative integers",
                "past the end    | {\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}                       | tensor 'a': data_offsets [8, 24] lie outside the data section (16 bytes from byte offset",
                "reversed        | {\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}                        | tensor 'a': data_offsets [8, 4] lie outside the data section",
                "size mismatch   | {\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}                     | tensor 'a': data_offsets [0, 16] hold 16 bytes, but F32 [2, 3] needs 24",
                "bf16 mismatch   | {\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,16]}}                      | tensor 'a': data_offsets [0, 16] hold 16 bytes, but BF16 [4] needs 8",
                "huge shape      | {\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,16]}}   | tensor 'a': implausible shape",
                "bad metadata    | {\"__metadata__\":3}                                                                   | \"__metadata__\" must be a JSON object",
            })
    void badHeader(String what, String header, String fragment) throws IOException {
        Path f = SafetensorsTestFile.write(dir.resolve("h.safetensors"), header, new byte[16]);
        assertRejectedFile(f, fragment);
    }

    @Test
    void headerThatIsNotUtf8() throws IOException {
        Path f = SafetensorsTestFile.write(dir.resolve("u.safetensors"), "{\"a\":1}", new byte[0]);
        byte[] all = Files.readAllBytes(f);
        all[10] = (byte) 0xc3; // a lead byte followed by 'a': malformed
        assertRejectedFile(Files.write(f, all), "header (bytes 8..16) is not valid UTF-8");
    }

    @ParameterizedTest(name = "header length {0}")
    @CsvSource({"1000", "0", "-1"})
    void headerLengthBeyondTheFile(long length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put("{}".getBytes());
        Path f = Files.write(dir.resolve("len.safetensors"), b.array());
        assertRejectedFile(
                f,
                "safetensors header length " + Long.toUnsignedString(length)
                        + " (byte offset 0) is impossible for a file of 64 bytes");
    }

    @Test
    void shorterThanTheLengthField() throws IOException {
        Path f = Files.write(dir.resolve("short.safetensors"), new byte[5]);
        assertRejectedFile(f, "truncated safetensors file: 5 bytes");
    }

    @Test
    void emptyHeaderHasNoLayers() throws IOException {
        Path f = SafetensorsTestFile.write(dir.resolve("e.safetensors"), "{}", new byte[0]);
        assertRejectedFile(f, "no layer tensors (blocks.<i>.*) found");
    }

    @Test
    void incompleteOlderGenerationIsNamed() throws IOException {
        SafetensorsTestFile st = new SafetensorsTestFile();
        st.add("emb.weight", "BF16", new long[] {4, 8}, new float[32]);
        st.add("blocks.0.att.time_maa_x", "BF16", new long[] {1, 1, 8}, new float[8]);
        assertRejectedFile(st.write(dir.resolve("v6.safetensors")), "RWKV-6 model is missing", "'blocks.0.ln0.weight'");
    }

    @Test
    void dataOffsetsMayBeInAnyOrder() throws IOException {
        // Two tensors whose data regions are swapped relative to header order.
        String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Path f = SafetensorsTestFile.write(dir.resolve("o.safetensors"), header, new byte[16]);
        // Parsing succeeds; the layout check then reports the (non-RWKV) content.
        assertRejectedFile(f, "no layer tensors");
    }
}
