package io.rwkvx.tokenizer;

/**
 * Byte-level tokenizer: token id = byte value, vocabulary of 256. rwkv.cpp's tiny test models use it.
 * There id 0 is the byte 0x00, so no id means end of text.
 */
public final class ByteTokenizer implements Tokenizer {
    /** One id per byte value. */
    public static final int VOCAB_SIZE = 256;

    /** The tokenizer; it holds no state, so one instance may serve any number of threads. */
    public ByteTokenizer() {}

    @Override
    public int[] encodeBytes(byte[] bytes) {
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        byte[] bytes = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= VOCAB_SIZE) {
                throw new IllegalArgumentException(
                        "token id " + id + " at position " + i + " is out of range 0.." + (VOCAB_SIZE - 1));
            }
            bytes[i] = (byte) id;
        }
        return bytes;
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public String name() {
        return "byte";
    }

    @Override
    public boolean isEndOfText(int id) {
        return false;
    }
}
