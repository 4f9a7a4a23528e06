package io.rwkvx.format;

import static io.rwkvx.format.FormatAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * torch.save checkpoints ({@link PthTestFile} writes them byte for byte as PyTorch 2.x does; no device or
 * Python was available to compare against real torch.save output in this task): the same small random
 * RWKV-7 as {@link SafetensorsReaderTest} must load to exactly the tensors, and the exact forward, of its
 * safetensors and rwkv.cpp forms; malicious or broken archives are refused with clear messages.
 */
class PthReaderTest {
    static final int C = 16, H = 2, L = 3, V = 40, F = 64, D = 4;
    static final int[] TOKENS = {1, 5, 39, 0, 17, 17, 8};

    @TempDir
    Path dir;

    private static SyntheticRwkv7 model() {
        return new SyntheticRwkv7(42, C, H, L, V, F, D);
    }

    private static void assertRejectedFile(Path file, String... fragments) {
        assertRejected(PthReader::read, file, fragments);
    }

    @ParameterizedTest(name = "matrices {0}, vectors {1}, prefix ''{2}'', {3}, OrderedDict {4}")
    @CsvSource({
        "F32,  F32,  '',    CURRENT,     true",
        "BF16, BF16, '',    CURRENT,     false",
        "BF16, F32,  rwkv., SORTED_KEYS, true",
        "F16,  BF16, rwkv., CURRENT,     false",
    })
    void loadsTorchSaveCheckpoint(
            String matrixDtype, String vectorDtype, String prefix, PthTestFile.Layout layout, boolean ordered)
            throws IOException {
        PthTestFile pth = PthTestFile.of(model(), matrixDtype, vectorDtype, prefix);
        pth.layout = layout;
        pth.orderedDict = ordered;
        Path file = pth.write(dir.resolve("m.pth"));
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = PthReader.read(file, arena);
            assertEquals(new ModelConfig(Architecture.RWKV7, L, C, H, C / H, V, F), w.config());
            assertEquals(Rwkv7Layout.tensorNames(L).size(), w.tensors().size());
            assertEquals(DType.valueOf(matrixDtype), w.get("head.weight").dtype());
            assertEquals(DType.F32, w.get("blocks.2.att.k_k").dtype());
            assertArrayEquals(new long[] {C}, w.get("blocks.2.att.k_k").shape());
            assertArrayEquals(new long[] {D, C}, w.get("blocks.1.att.v1").shape());
        }
    }

    /** Storages are zero-copy views of the mapping, at the 64-byte offsets torch.save pads them to. */
    @Test
    void tensorsAreAlignedViewsOfTheMappedFile() throws IOException {
        Path file = PthTestFile.of(model(), "F32", "F32", "").write(dir.resolve("m.pth"));
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = PthReader.read(file, arena);
            for (String n :
                    List.of("emb.weight", "head.weight", "blocks.1.att.key.weight", "blocks.2.ffn.value.weight")) {
                Tensor t = w.get(n);
                assertTrue(t.data().isMapped(), n + " should be a view of the mapped file");
                assertEquals(0, t.data().address() % 64, n);
            }
        }
    }

    @ParameterizedTest(name = "matrices {0}, vectors {1}")
    @CsvSource({"F32, F32", "BF16, BF16", "BF16, F32"})
    void sameWeightsAndForwardAsSafetensorsAndRwkvCpp(String matrixDtype, String vectorDtype) throws IOException {
        SyntheticRwkv7 m = model();
        Path pth = PthTestFile.of(m, matrixDtype, vectorDtype, "").write(dir.resolve("m.pth"));
        Path st = m.safetensors(matrixDtype, vectorDtype, "").write(dir.resolve("m.safetensors"));
        Path cpp = m.writeRwkvCpp(dir.resolve("m.bin"));
        try (Arena arena = Arena.ofConfined();
                ReferenceBackend backend = new ReferenceBackend()) {
            ModelWeights a = PthReader.read(pth, arena);
            ModelWeights b = SafetensorsReader.read(st, arena);
            ModelWeights c = RwkvCppReader.read(cpp, arena);
            assertEquals(b.config(), a.config());
            assertEquals(b.tensors().keySet(), a.tensors().keySet());
            for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) {
                Tensor other = b.get(e.getKey());
                assertEquals(other.dtype(), e.getValue().dtype(), e.getKey());
                assertArrayEquals(other.shape(), e.getValue().shape(), e.getKey());
                assertArrayEquals(
                        other.data().toArray(ValueLayout.JAVA_BYTE),
                        e.getValue().data().toArray(ValueLayout.JAVA_BYTE),
                        e.getKey());
            }
            float[] la = forward(backend, a, arena);
            assertArrayEquals(forward(backend, b, arena), la);
            assertArrayEquals(forward(backend, c, arena), la);
            for (float x : la) assertTrue(Float.isFinite(x));
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

    @Test
    void modelFilesDetectsAndReadsPth() throws IOException {
        PthTestFile pth = PthTestFile.of(model(), "BF16", "BF16", "");
        pth.archive = "RWKV-x070-World-0.1B-v2.8-20241210-ctx4096"; // torch.save(sd, "<that>.pth") names it so
        Path file = pth.write(dir.resolve("weights.bin"));
        assertEquals(ModelFiles.Kind.PYTORCH, ModelFiles.detect(file));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(L, ModelFiles.read(file, arena).config().nLayer());
        }
    }

    @Test
    void zip64ExtraFieldsAreHonoured() throws IOException {
        PthTestFile pth = PthTestFile.of(model(), "F32", "F32", "");
        pth.forceZip64 = true;
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(
                    L,
                    PthReader.read(pth.write(dir.resolve("z.pth")), arena)
                            .config()
                            .nLayer());
        }
    }

    /**
     * The exact pickle of {@code OrderedDict(w=torch.zeros(2))} as CPython's protocol-2 pickler writes it
     * for torch.save (annotated as pickletools.dis would list it), checked against the generator and read back.
     */
    @Test
    void pickleMatchesTorchSaveOpcodeSequence() throws IOException {
        PthTestFile pth = new PthTestFile().add("w", "F32", new long[] {2}, new float[2]);
        pth.withMetadata = false;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x80, 2}); //                      PROTO 2
        b.writeBytes("ccollections\nOrderedDict\nq\u0000".getBytes(StandardCharsets.ISO_8859_1)); // GLOBAL, BINPUT 0
        b.writeBytes(")Rq\u0001".getBytes(StandardCharsets.ISO_8859_1)); // EMPTY_TUPLE REDUCE BINPUT 1
        b.writeBytes("X\u0001\u0000\u0000\u0000wq\u0002"
                .getBytes(StandardCharsets.ISO_8859_1)); // key 'w' (one item: no MARK)
        b.writeBytes("ctorch._utils\n_rebuild_tensor_v2\nq\u0003".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes("((X\u0007\u0000\u0000\u0000storageq\u0004"
                .getBytes(StandardCharsets.ISO_8859_1)); // MARK args, MARK pid
        b.writeBytes("ctorch\nFloatStorage\nq\u0005".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes("X\u0001\u0000\u0000\u00000q\u0006X\u0003\u0000\u0000\u0000cpuq\u0007K\u0002tq\u0008Q"
                .getBytes(StandardCharsets.ISO_8859_1)); // key '0', 'cpu', numel 2, TUPLE, BINPERSID
        b.writeBytes("K\u0000K\u0002\u0085q\tK\u0001\u0085q\n\u0089"
                .getBytes(StandardCharsets.ISO_8859_1)); // offset, (2,), (1,), False
        b.writeBytes("h\u0000)Rq\u000btq\u000cRq\rs."
                .getBytes(StandardCharsets.ISO_8859_1)); // OrderedDict(), TUPLE, REDUCE, SETITEM, STOP
        assertEquals(HexFormat.of().formatHex(b.toByteArray()), HexFormat.of().formatHex(pth.pickle()));
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> t = PthReader.readTensors(MappedFiles.map(pth.write(dir.resolve("w.pth")), arena), "w");
            assertArrayEquals(new long[] {2}, t.get("w").shape());
        }
    }

    @Test
    void tensorsMayShareAStorage() throws IOException {
        PthTestFile pth = new PthTestFile();
        float[] v = {1, 2, 3, 4, 5, 6};
        PthTestFile.Storage s = new PthTestFile.Storage(
                "FloatStorage",
                6,
                new SafetensorsTestFile()
                        .add("x", "F32", new long[] {6}, v)
                        .entries
                        .get(0)
                        .data());
        pth.tensors.add(new PthTestFile.TensorSpec("a", s, 0, new long[] {2, 2}, new long[] {2, 1}));
        pth.tensors.add(new PthTestFile.TensorSpec(
                "b", s, 4, new long[] {1, 2}, new long[] {7, 1})); // stride of a size-1 dim is free
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> t = PthReader.readTensors(MappedFiles.map(pth.write(dir.resolve("s.pth")), arena), "s");
            assertArrayEquals(new float[] {1, 2, 3, 4}, t.get("a").toFloatArray());
            assertArrayEquals(new float[] {5, 6}, t.get("b").toFloatArray());
        }
    }

    // ---- refusals -------------------------------------------------------------------------------------

    /** A checkpoint whose data.pkl is replaced by {@code pickle} (other records as torch.save writes them). */
    private Path withPickle(byte[] pickle) throws IOException {
        PthTestFile pth = PthTestFile.of(model(), "F32", "F32", "");
        List<PthTestFile.Record> recs = new ArrayList<>(pth.records());
        recs.set(0, new PthTestFile.Record("data.pkl", pickle, false));
        return Files.write(dir.resolve("p.pth"), PthTestFile.zip(pth.archive, recs, pth));
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "os.system      | cos\\nsystem\\n",
                "posix.system   | cposix\\nsystem\\n",
                "builtins.eval  | cbuiltins\\neval\\n",
                "numpy.core.multiarray._reconstruct | cnumpy.core.multiarray\\n_reconstruct\\n",
            })
    void refusesForeignGlobals(String qualified, String global) throws IOException {
        byte[] p = latin1(
                "\u0080\u0002" + global.replace("\\n", "\n") + "q\u0000X\u0002\u0000\u0000\u0000idq\u0001\u0085R.");
        assertRejectedFile(
                withPickle(p),
                "refusing to unpickle global '" + qualified + "' (only tensor checkpoints are supported",
                "byte offset 2");
    }

    @Test
    void refusesStackGlobalToo() throws IOException {
        byte[] p = latin1("\u0080\u0004\u008c\u0008builtins\u0094\u008c\u0004eval\u0094\u0093\u0094.");
        assertRejectedFile(withPickle(p), "refusing to unpickle global 'builtins.eval'");
    }

    @ParameterizedTest(name = "opcode 0x{0}")
    @CsvSource({"ff", "69", "53"}) // unassigned; INST and STRING (protocol 0, never in torch.save output)
    void refusesUnknownOpcodes(String hex) throws IOException {
        int op = Integer.parseInt(hex, 16);
        String shown = "0x" + hex + (op < 0x7f ? " ('" + (char) op + "')" : "");
        byte[] p = {(byte) 0x80, 2, '}', 'q', 0, (byte) op, '.'};
        assertRejectedFile(withPickle(p), "unsupported pickle opcode " + shown + " at byte offset 5");
    }

    @Test
    void refusesReduceOfNonGlobal() throws IOException {
        byte[] p = latin1("\u0080\u0002X\u0001\u0000\u0000\u0000x)R.");
        assertRejectedFile(withPickle(p), "byte offset 9", "REDUCE on a str, not an allowed global");
    }

    @Test
    void truncatedPickle() throws IOException {
        byte[] full = PthTestFile.of(model(), "F32", "F32", "").pickle();
        assertRejectedFile(withPickle(Arrays.copyOf(full, 100)), "archive/data.pkl is truncated");
    }

    @ParameterizedTest(name = "cut to {0}")
    @CsvSource({"0.5", "0.999", "0.0001"})
    void truncatedFile(double keep) throws IOException {
        Path f = PthTestFile.of(model(), "F32", "F32", "").write(dir.resolve("t.pth"));
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, (int) (all.length * keep)));
        assertRejectedFile(f, "truncated");
    }

    @Test
    void compressedEntry() throws IOException {
        PthTestFile pth = PthTestFile.of(model(), "F32", "F32", "");
        List<PthTestFile.Record> recs = new ArrayList<>(pth.records());
        recs.replaceAll(r -> r.name().equals("data/0") ? new PthTestFile.Record(r.name(), r.data(), true) : r);
        Path f = Files.write(dir.resolve("c.pth"), PthTestFile.zip(pth.archive, recs, pth));
        assertRejectedFile(f, "zip entry 'archive/data/0' is compressed (method 8, deflate); only stored");
    }

    @Test
    void missingStorage() throws IOException {
        PthTestFile pth = PthTestFile.of(model(), "F32", "F32", "");
        List<PthTestFile.Record> recs = new ArrayList<>(pth.records());
        recs.removeIf(r -> r.name().equals("data/3"));
        Path f = Files.write(dir.resolve("m.pth"), PthTestFile.zip(pth.archive, recs, pth));
        assertRejectedFile(
                f,
                "tensor '" + pth.tensors.get(3).name() + "': its storage '3' (entry 'archive/data/3') "
                        + "is missing from the archive");
    }

    @Test
    void storageSmallerThanItsPickledSize() throws IOException {
        PthTestFile pth = PthTestFile.of(model(), "F32", "F32", "");
        List<PthTestFile.Record> recs = new ArrayList<>(pth.records());
        recs.replaceAll(r -> r.name().equals("data/0") ? new PthTestFile.Record(r.name(), new byte[12], false) : r);
        Path f = Files.write(dir.resolve("s.pth"), PthTestFile.zip(pth.archive, recs, pth));
        assertRejectedFile(
                f,
                "tensor 'emb.weight': storage entry 'archive/data/0' holds 12 bytes, but the pickle says " + (V * C)
                        + " F32 elements (" + (V * C * 4) + " bytes)");
    }

    @Test
    void tensorPastTheEndOfItsStorage() throws IOException {
        PthTestFile pth = new PthTestFile();
        PthTestFile.Storage s = new PthTestFile.Storage("FloatStorage", 4, new byte[16]);
        pth.tensors.add(new PthTestFile.TensorSpec("blocks.0.ln1.weight", s, 2, new long[] {4}, new long[] {1}));
        assertRejectedFile(
                pth.write(dir.resolve("e.pth")),
                "tensor 'blocks.0.ln1.weight': needs elements [2, 6) of storage '0', which has only 4");
    }

    @Test
    void nonContiguousTensor() throws IOException {
        PthTestFile pth = new PthTestFile();
        PthTestFile.Storage s = new PthTestFile.Storage("FloatStorage", 6, new byte[24]);
        pth.tensors.add(new PthTestFile.TensorSpec("head.weight", s, 0, new long[] {2, 3}, new long[] {1, 2}));
        assertRejectedFile(
                pth.write(dir.resolve("n.pth")),
                "tensor 'head.weight': size [2, 3] with stride [1, 2] is not contiguous row-major");
    }

    @Test
    void unsupportedDtype() throws IOException {
        PthTestFile pth = new PthTestFile();
        pth.tensors.add(new PthTestFile.TensorSpec(
                "head.weight",
                new PthTestFile.Storage("DoubleStorage", 2, new byte[16]),
                0,
                new long[] {2},
                new long[] {1}));
        assertRejectedFile(
                pth.write(dir.resolve("d.pth")),
                "tensor 'head.weight': dtype float64 (torch.DoubleStorage) is not supported");
    }

    @Test
    void nonTensorValue() throws IOException {
        // {'step': 5} as protocol 2: EMPTY_DICT BINPUT 'step' BINPUT BININT1 SETITEM STOP.
        byte[] p = latin1("\u0080\u0002}q\u0000X\u0004\u0000\u0000\u0000stepq\u0001K\u0005s.");
        assertRejectedFile(withPickle(p), "state dict entry 'step' holds an int, not a tensor");
    }

    @Test
    void zipWithoutDataPkl() throws IOException {
        List<PthTestFile.Record> recs = List.of(new PthTestFile.Record("notes.txt", PthTestFile.ascii("hi"), false));
        Path f = Files.write(dir.resolve("z.pth"), PthTestFile.zip("archive", recs, null));
        assertRejectedFile(
                f, "a zip archive but not a PyTorch checkpoint: no <archive>/data.pkl entry", "archive/notes.txt");
    }

    /** RWKV-X ({@code moba.} tensors) goes through the same canonicalisation as safetensors: same outcome. */
    @Test
    void rwkvXCheckpointIsHandledLikeSafetensors() throws IOException {
        SafetensorsTestFile st = model().safetensors("F32", "F32", "rwkv.");
        st.add("moba.0.ln1.weight", "F32", new long[] {C}, new float[C]);
        PthTestFile pth = PthTestFile.of(model(), "F32", "F32", "rwkv.");
        pth.add("moba.0.ln1.weight", "F32", new long[] {C}, new float[C]);
        Path a = pth.write(dir.resolve("x.pth")), b = st.write(dir.resolve("x.safetensors"));
        try (Arena arena = Arena.ofConfined()) {
            String ma = outcome(() -> PthReader.read(a, arena).config(), a);
            String mb = outcome(() -> SafetensorsReader.read(b, arena).config(), b);
            assertEquals(mb, ma);
        }
    }

    private static String outcome(java.util.function.Supplier<Object> read, Path file) {
        try {
            return "loaded " + read.get();
        } catch (ModelFormatException e) {
            return e.getMessage().replace(file.toString(), "<file>");
        }
    }
}
