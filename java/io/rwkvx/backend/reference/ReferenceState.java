package io.rwkvx.backend.reference;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;

/**
 * A sequence's recurrent state, held directly in the export layout (float32, per layer: att token shift
 * [C], ffn token shift [C], then RWKV-7: WKV [H][N key][N value]; RWKV-4: aa, bb, pp [C] each), so export
 * and import are plain copies. A fresh or reset state is the executor's start-of-sequence template.
 */
final class ReferenceState implements BackendState {
    /** Host floats in native byte order, as the C API's export buffers; no alignment required. */
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    final ModelExecutor owner;
    private final ModelConfig config;
    private final float[] initial;
    private float[] data;

    /** A state equal to {@code initial} (the start-of-sequence values; shared, never written). */
    ReferenceState(ModelExecutor owner, ModelConfig config, float[] initial) {
        this.owner = owner;
        this.config = config;
        if (initial.length != config.stateFloats()) {
            throw new IllegalArgumentException(
                    "initial state has " + initial.length + " floats, expected " + config.stateFloats());
        }
        this.initial = initial;
        this.data = initial.clone();
    }

    /** An all-zero start state of {@code config}'s size. */
    static float[] zeros(ModelConfig config) {
        long n = config.stateFloats();
        if (n > Integer.MAX_VALUE)
            throw new RwkvxException("state of " + n + " floats is too large for the reference backend");
        return new float[(int) n];
    }

    private ReferenceState(ReferenceState from) {
        this.owner = from.owner;
        this.config = from.config;
        this.initial = from.initial;
        this.data = from.data.clone();
    }

    /** The live array, for the executor; throws when closed. */
    float[] data() {
        if (data == null) throw new IllegalStateException("state is closed");
        return data;
    }

    /** Float offset of layer {@code l}'s block: att shift, then ffn shift (+C), then WKV (+2C). */
    int layerOffset(int layer) {
        return (int) (layer * config.layerStateFloats());
    }

    @Override
    public long byteSize() {
        return config.stateFloats() * Float.BYTES;
    }

    @Override
    public void reset() {
        System.arraycopy(initial, 0, data(), 0, initial.length);
    }

    @Override
    public BackendState copy() {
        data();
        return new ReferenceState(this);
    }

    @Override
    public void exportTo(MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        float[] d = data();
        if (dst.byteSize() < byteSize()) {
            throw new RwkvxException("state export needs " + byteSize() + " bytes, destination has " + dst.byteSize());
        }
        MemorySegment.copy(d, 0, dst, FLOAT, 0, d.length);
    }

    @Override
    public void importFrom(MemorySegment src) {
        Objects.requireNonNull(src, "src");
        float[] d = data();
        if (src.byteSize() != byteSize()) {
            throw new RwkvxException("state import needs exactly " + byteSize() + " bytes (" + config.stateFloats()
                    + " floats), source has " + src.byteSize());
        }
        float[] in = new float[d.length];
        MemorySegment.copy(src, FLOAT, 0, in, 0, in.length);
        for (int i = 0; i < in.length; i++) {
            if (!Float.isFinite(in[i])) {
                throw new RwkvxException("state import: value " + in[i] + " at float index " + i + " (" + describe(i)
                        + ") is not finite");
            }
        }
        System.arraycopy(in, 0, d, 0, d.length); // only after every value passed: a rejected import changes nothing
    }

    /** "layer 3, WKV head 0 (key 5, value 7)" for a float index of the export layout. */
    private String describe(int index) {
        int c = config.nEmbd(), n = config.headSize();
        int perLayer = layerOffset(1);
        int layer = index / perLayer, r = index % perLayer;
        if (r < c) return "layer " + layer + ", att token shift " + r;
        if (r < 2 * c) return "layer " + layer + ", ffn token shift " + (r - c);
        r -= 2 * c;
        if (config.arch() == Architecture.RWKV4)
            return "layer " + layer + ", " + List.of("aa", "bb", "pp").get(r / c) + " " + r % c;
        return "layer " + layer + ", WKV head " + r / (n * n) + " (key " + (r % (n * n)) / n + ", value " + r % n + ")";
    }

    @Override
    public void close() {
        data = null;
    }
}
