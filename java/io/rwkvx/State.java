package io.rwkvx;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.model.Architecture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A snapshot of a session: the recurrent state (host layout, fp32) and the logits after the last
 * token. Immutable, so thread-safe: share it between threads, restore it into any session of the same
 * model (concurrently into several), or save it to a file.
 *
 * <p>File format (little-endian): magic "RWKVXST\0", u32 format version, u32 architecture code,
 * u64 model fingerprint, u32 n_layer, n_embd, n_head, head_size, n_vocab, u64 state float count,
 * u64 logits float count (0 or n_vocab), the floats, then u32 CRC-32C of every preceding byte.
 */
public final class State {
    static final byte[] MAGIC = {'R', 'W', 'K', 'V', 'X', 'S', 'T', 0};
    static final int FORMAT_VERSION = 1;
    private static final int HEADER_BYTES = 8 + 4 + 4 + 8 + 5 * 4 + 8 + 8;

    private final Architecture arch;
    private final long modelFingerprint;
    private final int[] dims; // n_layer, n_embd, n_head, head_size, n_vocab
    private final float[] recurrent;
    private final float[] logits; // null when no token was evaluated yet

    State(Architecture arch, long modelFingerprint, int[] dims, float[] recurrent, float[] logits) {
        this.arch = arch;
        this.modelFingerprint = modelFingerprint;
        this.dims = dims.clone();
        this.recurrent = recurrent;
        this.logits = logits;
    }

    /**
     * The family of the model the state came from.
     *
     * @return the model's architecture
     */
    public Architecture architecture() {
        return arch;
    }

    /**
     * Identifies the model the state came from; a session restores only a state whose fingerprint equals its
     * model's {@link Model#fingerprint()}.
     *
     * @return the model's fingerprint
     */
    public long modelFingerprint() {
        return modelFingerprint;
    }

    /**
     * The recurrent state.
     *
     * @return a copy of the floats in the backend's export layout (for RWKV-X, the KV caches included)
     */
    public float[] recurrent() {
        return recurrent.clone();
    }

    /**
     * The logits after the last evaluated token.
     *
     * @return a copy of the {@code n_vocab} logits, or null when no token had been evaluated
     */
    public float[] logits() {
        return logits == null ? null : logits.clone();
    }

    float[] recurrentShared() {
        return recurrent;
    }

    float[] logitsShared() {
        return logits;
    }

    int[] dims() {
        return dims.clone();
    }

    /**
     * Writes the state to {@code file} (replaced atomically where the file system allows).
     *
     * @param file the state file to create or replace; a sibling {@code <name>.tmp} is written first
     * @throws RwkvxException       if the state is too large for the format (2 GiB)
     * @throws UncheckedIOException if the file cannot be written
     */
    public void save(Path file) {
        int nLogits = logits == null ? 0 : logits.length;
        long size = HEADER_BYTES + 4L * (recurrent.length + (long) nLogits) + 4;
        if (size > Integer.MAX_VALUE - 16)
            throw new RwkvxException(
                    file + ": state of " + size + " bytes is too large for a state file (2 GiB at most)");
        ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(FORMAT_VERSION).putInt(arch.code).putLong(modelFingerprint);
        for (int d : dims) buf.putInt(d);
        buf.putLong(recurrent.length).putLong(nLogits);
        buf.asFloatBuffer().put(recurrent);
        buf.position(buf.position() + 4 * recurrent.length);
        if (logits != null) {
            buf.asFloatBuffer().put(logits);
            buf.position(buf.position() + 4 * nLogits);
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, buf.array());
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state file " + file, e);
        }
    }

    /**
     * Reads a state file; every inconsistency is reported with the file name.
     *
     * @param file a file written by {@link #save}
     * @return the state; whether it fits a model is checked when a session restores it
     * @throws RwkvxException       if the file is not a state file, has another format version, is truncated or
     *                              fails its checksum
     * @throws UncheckedIOException if the file cannot be read
     */
    public static State load(Path file) {
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE - 16)
                throw new RwkvxException(file + ": state file too large (" + ch.size() + " bytes)");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read state file " + file, e);
        }
        if (bytes.length < HEADER_BYTES + 4)
            throw new RwkvxException(
                    file + ": not a state file (" + bytes.length + " bytes, header needs " + (HEADER_BYTES + 4) + ")");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++)
            if (bytes[i] != MAGIC[i])
                throw new RwkvxException(file + ": not an rwkvx state file (bad magic at offset 0)");
        buf.position(8);
        int version = buf.getInt();
        if (version != FORMAT_VERSION)
            throw new RwkvxException(
                    file + ": state format version " + version + " is not supported (expected " + FORMAT_VERSION + ")");
        int archCode = buf.getInt();
        Architecture arch = null;
        for (Architecture a : Architecture.values()) if (a.code == archCode) arch = a;
        if (arch == null) throw new RwkvxException(file + ": unknown architecture code " + archCode + " at offset 12");
        long fp = buf.getLong();
        int[] dims = new int[5];
        for (int i = 0; i < 5; i++) dims[i] = buf.getInt();
        long nState = buf.getLong(), nLogits = buf.getLong();
        // Compared without multiplying: a count near 2^62 would wrap 4 * (S + G) around to the file's size.
        long payload = bytes.length - HEADER_BYTES - 4L;
        long room = payload / 4;
        if (nState < 0 || nLogits < 0 || nState > room || nLogits > room - nState || 4 * (nState + nLogits) != payload)
            throw new RwkvxException(file + ": truncated or corrupt state file: header says "
                    + Long.toUnsignedString(nState) + " state + " + Long.toUnsignedString(nLogits)
                    + " logit floats at offset 44, the file has room for " + payload + " bytes of floats ("
                    + bytes.length + " bytes in all)");
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = buf.getInt(bytes.length - 4);
        if (stored != (int) crc.getValue())
            throw new RwkvxException(file + ": checksum mismatch (stored " + Integer.toHexString(stored) + ", computed "
                    + Long.toHexString(crc.getValue()) + "): the file is corrupt");
        String[] dimNames = {"n_layer", "n_embd", "n_head", "head_size", "n_vocab"};
        for (int i = 0; i < 5; i++)
            if (dims[i] <= 0)
                throw new RwkvxException(file + ": " + dimNames[i] + " " + Integer.toUnsignedString(dims[i])
                        + " at offset " + (24 + 4 * i) + " is not a valid size");
        if (nState == 0) throw new RwkvxException(file + ": the header says the state has no floats (offset 44)");
        if (nLogits != 0 && nLogits != dims[4])
            throw new RwkvxException(file + ": the header says " + nLogits + " logits (offset 52) but n_vocab "
                    + dims[4] + "; a state holds 0 or n_vocab logits");
        float[] rec = new float[(int) nState];
        buf.position(HEADER_BYTES);
        buf.asFloatBuffer().get(rec);
        float[] logits = null;
        if (nLogits > 0) {
            logits = new float[(int) nLogits];
            buf.position(HEADER_BYTES + 4 * (int) nState);
            buf.asFloatBuffer().get(logits);
        }
        return new State(arch, fp, dims, rec, logits);
    }
}
