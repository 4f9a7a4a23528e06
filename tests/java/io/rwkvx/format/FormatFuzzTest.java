package io.rwkvx.format;

import static io.rwkvx.common.FuzzSupport.parsesOrRefuses;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rwkvx.common.FuzzSupport;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.function.BiFunction;

/**
 * Fuzz targets for the model file readers: any byte string is either read or refused with a
 * {@link ModelFormatException}; never another exception, an allocation sized by a corrupt field, or a hang.
 * Seeds: tests/corpus/io/rwkvx/format/FormatFuzzTestInputs/&lt;target&gt;/ (made by {@link FuzzCorpusWriter});
 * tests/fuzz.sh fuzzes them, {@code mvn test} replays them.
 */
class FormatFuzzTest {
    private static final Path RWKV_CPP = FuzzSupport.scratchFile("rwkvcpp");
    private static final Path SAFETENSORS = FuzzSupport.scratchFile("safetensors");
    private static final Path PTH = FuzzSupport.scratchFile("pth");

    @FuzzTest
    void rwkvCpp(byte[] data) throws Throwable {
        readFile(RWKV_CPP, data, RwkvCppReader::read);
    }

    @FuzzTest
    void safetensors(byte[] data) throws Throwable {
        readFile(SAFETENSORS, data, SafetensorsReader::read);
    }

    /** The whole .pth reader: zip, pickle, storages, canonical names. */
    @FuzzTest
    void pth(byte[] data) throws Throwable {
        readFile(PTH, data, PthReader::read);
    }

    /** The zip container alone: the central directory, then every entry's data. */
    @FuzzTest
    void pthZip(byte[] data) throws Throwable {
        MemorySegment seg = MemorySegment.ofArray(data);
        parsesOrRefuses(
                () -> {
                    PthZip zip = PthZip.open(seg, "fuzz.pth");
                    for (PthZip.Entry e : zip.entries().values()) {
                        parsesOrRefuses(
                                () -> {
                                    MemorySegment d = zip.data(e);
                                    if (d.byteSize() > 0) d.get(ValueLayout.JAVA_BYTE, d.byteSize() - 1);
                                },
                                ModelFormatException.class);
                    }
                },
                ModelFormatException.class);
    }

    /** The restricted unpickler alone, on a data.pkl. */
    @FuzzTest
    void pthUnpickler(byte[] data) throws Throwable {
        parsesOrRefuses(
                () -> PthUnpickler.load(MemorySegment.ofArray(data), "fuzz.pth", "archive/data.pkl"),
                ModelFormatException.class);
    }

    private static void readFile(Path file, byte[] data, BiFunction<Path, Arena, ModelWeights> reader)
            throws Throwable {
        FuzzSupport.write(file, data);
        parsesOrRefuses(
                () -> {
                    try (Arena arena = Arena.ofConfined()) {
                        touch(reader.apply(file, arena));
                    }
                },
                ModelFormatException.class);
    }

    /** A model that was read must be usable: every tensor's first and last element can be read. */
    private static void touch(ModelWeights weights) {
        weights.config().toString();
        for (Tensor t : weights.tensors().values()) {
            long n = t.numel();
            if (n > 0) {
                t.getFloat(0);
                t.getFloat(n - 1);
            }
        }
    }
}
