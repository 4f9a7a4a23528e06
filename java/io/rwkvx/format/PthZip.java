package io.rwkvx.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The zip container of a PyTorch checkpoint, read straight from a memory-mapped file: the central
 * directory (zip64 when present, as PyTorch's miniz writer always emits it) names the entries, and
 * {@link #data} returns a stored entry's bytes as a zero-copy slice of the mapping. PyTorch stores every
 * record uncompressed, so compressed or encrypted entries are refused rather than inflated.
 * {@code java.util.zip} is not used because it would copy the (multi-gigabyte) tensor data.
 */
final class PthZip {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int LOCAL_SIG = 0x04034b50, CENTRAL_SIG = 0x02014b50, EOCD_SIG = 0x06054b50;
    static final int ZIP64_EOCD_SIG = 0x06064b50, ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int EOCD_SIZE = 22, LOCATOR_SIZE = 20, CENTRAL_SIZE = 46, LOCAL_SIZE = 30;
    private static final long U32_MAX = 0xffffffffL;

    /** One central-directory record. */
    record Entry(String name, int method, int flags, long compressedSize, long size, long localHeaderOffset) {}

    private final MemorySegment file;
    private final String source;
    private final Map<String, Entry> entries;

    private PthZip(MemorySegment file, String source, Map<String, Entry> entries) {
        this.file = file;
        this.source = source;
        this.entries = entries;
    }

    /** Parses the central directory of {@code file}; {@code source} prefixes every message. */
    static PthZip open(MemorySegment file, String source) {
        long size = file.byteSize();
        long eocd = findEocd(file, source);
        long count = u16(file, eocd + 10);
        long cdSize = u32(file, eocd + 12);
        long cdOffset = u32(file, eocd + 16);
        if (u16(file, eocd + 4) != 0 || u16(file, eocd + 6) != 0) {
            throw new ModelFormatException(source + ": multi-disk zip archives are not supported");
        }
        long locator = eocd - LOCATOR_SIZE;
        if (locator >= 0 && u32(file, locator) == ZIP64_LOCATOR_SIG) {
            long z = u64(file, locator + 8);
            if (z < 0 || z > locator - 56 || u32(file, z) != ZIP64_EOCD_SIG) {
                throw new ModelFormatException(
                        source + ": zip64 end-of-central-directory record expected at byte offset "
                                + Long.toUnsignedString(z) + " (named by the locator at " + locator + ") is missing");
            }
            count = u64(file, z + 32);
            cdSize = u64(file, z + 40);
            cdOffset = u64(file, z + 48);
        } else if (count == 0xffff || cdSize == U32_MAX || cdOffset == U32_MAX) {
            throw new ModelFormatException(source + ": zip end record at byte offset " + eocd
                    + " needs zip64 values, but there is no zip64 locator before it");
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > size || cdSize > size - cdOffset) {
            throw new ModelFormatException(
                    source + ": zip central directory (byte offset " + Long.toUnsignedString(cdOffset)
                            + ", " + Long.toUnsignedString(cdSize) + " bytes) lies outside the file of " + size
                            + " bytes (truncated file?)");
        }
        if (count < 0 || count > cdSize / CENTRAL_SIZE) {
            throw new ModelFormatException(source + ": zip central directory claims " + Long.toUnsignedString(count)
                    + " entries in " + cdSize + " bytes");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        long p = cdOffset, end = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            if (p + CENTRAL_SIZE > end || u32(file, p) != CENTRAL_SIG) {
                throw new ModelFormatException(source + ": zip central directory entry " + i + " at byte offset " + p
                        + " is malformed (no central header signature)");
            }
            int flags = (int) u16(file, p + 8);
            int method = (int) u16(file, p + 10);
            long comp = u32(file, p + 20), uncomp = u32(file, p + 24);
            int nameLen = (int) u16(file, p + 28),
                    extraLen = (int) u16(file, p + 30),
                    commentLen = (int) u16(file, p + 32);
            long local = u32(file, p + 42);
            long next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
            if (next > end) {
                throw new ModelFormatException(source + ": zip central directory entry " + i + " at byte offset " + p
                        + " runs past the end of the directory");
            }
            String name = new String(
                    file.asSlice(p + CENTRAL_SIZE, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // Zip64 extended information (id 1): 8-byte values for exactly the fields that hold 0xffffffff, in this
            // order.
            long x = p + CENTRAL_SIZE + nameLen, xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = (int) u16(file, x), len = (int) u16(file, x + 2);
                if (x + 4 + len > xEnd) break;
                if (id == 1) {
                    long q = x + 4, qEnd = q + len;
                    if (uncomp == U32_MAX) {
                        uncomp = zip64Field(file, q, qEnd, source, name);
                        q += 8;
                    }
                    if (comp == U32_MAX) {
                        comp = zip64Field(file, q, qEnd, source, name);
                        q += 8;
                    }
                    if (local == U32_MAX) local = zip64Field(file, q, qEnd, source, name);
                }
                x += 4 + len;
            }
            if (out.put(name, new Entry(name, method, flags, comp, uncomp, local)) != null) {
                throw new ModelFormatException(source + ": zip entry '" + name + "' appears twice");
            }
            p = next;
        }
        return new PthZip(file, source, Collections.unmodifiableMap(out));
    }

    private static long zip64Field(MemorySegment f, long at, long end, String source, String name) {
        if (at + 8 > end) {
            throw new ModelFormatException(source + ": zip entry '" + name + "': zip64 extra field is too short");
        }
        return f.get(U64, at);
    }

    /** The end-of-central-directory record: the last one whose comment length reaches exactly to the end. */
    private static long findEocd(MemorySegment f, String source) {
        long size = f.byteSize();
        if (size < EOCD_SIZE) {
            throw new ModelFormatException(source + ": truncated zip archive: " + size
                    + " bytes, not even an end-of-central-directory record");
        }
        long stop = Math.max(0, size - EOCD_SIZE - 0xffff);
        for (long p = size - EOCD_SIZE; p >= stop; p--) {
            if (u32(f, p) == EOCD_SIG && p + EOCD_SIZE + u16(f, p + 20) == size) return p;
        }
        throw new ModelFormatException(source + ": no zip end-of-central-directory record found (truncated file?)");
    }

    Map<String, Entry> entries() {
        return entries;
    }

    Entry entry(String name) {
        return entries.get(name);
    }

    /**
     * The bytes of a stored entry as a zero-copy slice of the mapped file (64-byte aligned in files written
     * by torch.save, though nothing here relies on it).
     */
    MemorySegment data(Entry e) {
        String where = source + ": zip entry '" + e.name() + "'";
        if ((e.flags() & 1) != 0) throw new ModelFormatException(where + " is encrypted");
        if (e.method() != 0) {
            throw new ModelFormatException(where + " is compressed (method " + e.method()
                    + (e.method() == 8 ? ", deflate" : "") + "); only stored (uncompressed) entries are supported, "
                    + "as torch.save writes them");
        }
        if (e.compressedSize() != e.size()) {
            throw new ModelFormatException(
                    where + ": stored entry with compressed size " + e.compressedSize() + " != size " + e.size());
        }
        long size = file.byteSize(), h = e.localHeaderOffset();
        if (h < 0 || h > size - LOCAL_SIZE || u32(file, h) != LOCAL_SIG) {
            throw new ModelFormatException(where + ": no local header at byte offset " + Long.toUnsignedString(h));
        }
        long start = h + LOCAL_SIZE + u16(file, h + 26) + u16(file, h + 28);
        if (e.size() < 0 || start > size || e.size() > size - start) {
            throw new ModelFormatException(
                    where + ": data (byte offset " + start + ", " + Long.toUnsignedString(e.size())
                            + " bytes) runs past the end of the file (" + size + " bytes; truncated file?)");
        }
        return file.asSlice(start, e.size());
    }

    private static long u16(MemorySegment f, long at) {
        return Short.toUnsignedLong(f.get(U16, at));
    }

    private static long u32(MemorySegment f, long at) {
        return Integer.toUnsignedLong(f.get(U32, at));
    }

    private static long u64(MemorySegment f, long at) {
        return f.get(U64, at);
    }
}
