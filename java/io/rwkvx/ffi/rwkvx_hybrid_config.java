// Generated in jextract's form (jextract 22, --header-class-name rwkvx_h) from include/rwkvx.h;
// regenerate with bin/regenerate-bindings. Do not edit: BindingsSyncTest checks this file against the header.

package io.rwkvx.ffi;

import java.lang.invoke.*;
import java.lang.foreign.*;
import java.nio.ByteOrder;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

import static java.lang.foreign.ValueLayout.*;
import static java.lang.foreign.MemoryLayout.PathElement.*;

/**
 * {@snippet lang=c :
 * struct rwkvx_hybrid_config {
 *     int32_t chunk_size;
 *     int32_t top_k;
 *     int32_t scope;
 *     int32_t prefill_mode;
 *     int32_t decode_mode;
 *     int32_t kv_dtype;
 *     int64_t dense_below;
 *     int64_t kv_max_size;
 *     int64_t kv_window;
 *     int64_t kv_min_size;
 * }
 * }
 */
public class rwkvx_hybrid_config {

    rwkvx_hybrid_config() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rwkvx_h.C_INT.withName("chunk_size"),
        rwkvx_h.C_INT.withName("top_k"),
        rwkvx_h.C_INT.withName("scope"),
        rwkvx_h.C_INT.withName("prefill_mode"),
        rwkvx_h.C_INT.withName("decode_mode"),
        rwkvx_h.C_INT.withName("kv_dtype"),
        rwkvx_h.C_LONG.withName("dense_below"),
        rwkvx_h.C_LONG.withName("kv_max_size"),
        rwkvx_h.C_LONG.withName("kv_window"),
        rwkvx_h.C_LONG.withName("kv_min_size")
    ).withName("rwkvx_hybrid_config");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt chunk_size$LAYOUT = (OfInt)$LAYOUT.select(groupElement("chunk_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t chunk_size
     * }
     */
    public static final OfInt chunk_size$layout() {
        return chunk_size$LAYOUT;
    }

    private static final long chunk_size$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t chunk_size
     * }
     */
    public static final long chunk_size$offset() {
        return chunk_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t chunk_size
     * }
     */
    public static int chunk_size(MemorySegment struct) {
        return struct.get(chunk_size$LAYOUT, chunk_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t chunk_size
     * }
     */
    public static void chunk_size(MemorySegment struct, int fieldValue) {
        struct.set(chunk_size$LAYOUT, chunk_size$OFFSET, fieldValue);
    }

    private static final OfInt top_k$LAYOUT = (OfInt)$LAYOUT.select(groupElement("top_k"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t top_k
     * }
     */
    public static final OfInt top_k$layout() {
        return top_k$LAYOUT;
    }

    private static final long top_k$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t top_k
     * }
     */
    public static final long top_k$offset() {
        return top_k$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t top_k
     * }
     */
    public static int top_k(MemorySegment struct) {
        return struct.get(top_k$LAYOUT, top_k$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t top_k
     * }
     */
    public static void top_k(MemorySegment struct, int fieldValue) {
        struct.set(top_k$LAYOUT, top_k$OFFSET, fieldValue);
    }

    private static final OfInt scope$LAYOUT = (OfInt)$LAYOUT.select(groupElement("scope"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t scope
     * }
     */
    public static final OfInt scope$layout() {
        return scope$LAYOUT;
    }

    private static final long scope$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t scope
     * }
     */
    public static final long scope$offset() {
        return scope$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t scope
     * }
     */
    public static int scope(MemorySegment struct) {
        return struct.get(scope$LAYOUT, scope$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t scope
     * }
     */
    public static void scope(MemorySegment struct, int fieldValue) {
        struct.set(scope$LAYOUT, scope$OFFSET, fieldValue);
    }

    private static final OfInt prefill_mode$LAYOUT = (OfInt)$LAYOUT.select(groupElement("prefill_mode"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t prefill_mode
     * }
     */
    public static final OfInt prefill_mode$layout() {
        return prefill_mode$LAYOUT;
    }

    private static final long prefill_mode$OFFSET = 12;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t prefill_mode
     * }
     */
    public static final long prefill_mode$offset() {
        return prefill_mode$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t prefill_mode
     * }
     */
    public static int prefill_mode(MemorySegment struct) {
        return struct.get(prefill_mode$LAYOUT, prefill_mode$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t prefill_mode
     * }
     */
    public static void prefill_mode(MemorySegment struct, int fieldValue) {
        struct.set(prefill_mode$LAYOUT, prefill_mode$OFFSET, fieldValue);
    }

    private static final OfInt decode_mode$LAYOUT = (OfInt)$LAYOUT.select(groupElement("decode_mode"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t decode_mode
     * }
     */
    public static final OfInt decode_mode$layout() {
        return decode_mode$LAYOUT;
    }

    private static final long decode_mode$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t decode_mode
     * }
     */
    public static final long decode_mode$offset() {
        return decode_mode$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t decode_mode
     * }
     */
    public static int decode_mode(MemorySegment struct) {
        return struct.get(decode_mode$LAYOUT, decode_mode$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t decode_mode
     * }
     */
    public static void decode_mode(MemorySegment struct, int fieldValue) {
        struct.set(decode_mode$LAYOUT, decode_mode$OFFSET, fieldValue);
    }

    private static final OfInt kv_dtype$LAYOUT = (OfInt)$LAYOUT.select(groupElement("kv_dtype"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t kv_dtype
     * }
     */
    public static final OfInt kv_dtype$layout() {
        return kv_dtype$LAYOUT;
    }

    private static final long kv_dtype$OFFSET = 20;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t kv_dtype
     * }
     */
    public static final long kv_dtype$offset() {
        return kv_dtype$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t kv_dtype
     * }
     */
    public static int kv_dtype(MemorySegment struct) {
        return struct.get(kv_dtype$LAYOUT, kv_dtype$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t kv_dtype
     * }
     */
    public static void kv_dtype(MemorySegment struct, int fieldValue) {
        struct.set(kv_dtype$LAYOUT, kv_dtype$OFFSET, fieldValue);
    }

    private static final OfLong dense_below$LAYOUT = (OfLong)$LAYOUT.select(groupElement("dense_below"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t dense_below
     * }
     */
    public static final OfLong dense_below$layout() {
        return dense_below$LAYOUT;
    }

    private static final long dense_below$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t dense_below
     * }
     */
    public static final long dense_below$offset() {
        return dense_below$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t dense_below
     * }
     */
    public static long dense_below(MemorySegment struct) {
        return struct.get(dense_below$LAYOUT, dense_below$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t dense_below
     * }
     */
    public static void dense_below(MemorySegment struct, long fieldValue) {
        struct.set(dense_below$LAYOUT, dense_below$OFFSET, fieldValue);
    }

    private static final OfLong kv_max_size$LAYOUT = (OfLong)$LAYOUT.select(groupElement("kv_max_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t kv_max_size
     * }
     */
    public static final OfLong kv_max_size$layout() {
        return kv_max_size$LAYOUT;
    }

    private static final long kv_max_size$OFFSET = 32;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t kv_max_size
     * }
     */
    public static final long kv_max_size$offset() {
        return kv_max_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t kv_max_size
     * }
     */
    public static long kv_max_size(MemorySegment struct) {
        return struct.get(kv_max_size$LAYOUT, kv_max_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t kv_max_size
     * }
     */
    public static void kv_max_size(MemorySegment struct, long fieldValue) {
        struct.set(kv_max_size$LAYOUT, kv_max_size$OFFSET, fieldValue);
    }

    private static final OfLong kv_window$LAYOUT = (OfLong)$LAYOUT.select(groupElement("kv_window"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t kv_window
     * }
     */
    public static final OfLong kv_window$layout() {
        return kv_window$LAYOUT;
    }

    private static final long kv_window$OFFSET = 40;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t kv_window
     * }
     */
    public static final long kv_window$offset() {
        return kv_window$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t kv_window
     * }
     */
    public static long kv_window(MemorySegment struct) {
        return struct.get(kv_window$LAYOUT, kv_window$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t kv_window
     * }
     */
    public static void kv_window(MemorySegment struct, long fieldValue) {
        struct.set(kv_window$LAYOUT, kv_window$OFFSET, fieldValue);
    }

    private static final OfLong kv_min_size$LAYOUT = (OfLong)$LAYOUT.select(groupElement("kv_min_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t kv_min_size
     * }
     */
    public static final OfLong kv_min_size$layout() {
        return kv_min_size$LAYOUT;
    }

    private static final long kv_min_size$OFFSET = 48;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t kv_min_size
     * }
     */
    public static final long kv_min_size$offset() {
        return kv_min_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t kv_min_size
     * }
     */
    public static long kv_min_size(MemorySegment struct) {
        return struct.get(kv_min_size$LAYOUT, kv_min_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t kv_min_size
     * }
     */
    public static void kv_min_size(MemorySegment struct, long fieldValue) {
        struct.set(kv_min_size$LAYOUT, kv_min_size$OFFSET, fieldValue);
    }

    /**
     * Obtains a slice of {@code arrayParam} which selects the array element at {@code index}.
     * The returned segment has address {@code arrayParam.address() + index * layout().byteSize()}
     */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index);
    }

    /**
     * The size (in bytes) of this struct
     */
    public static long sizeof() { return layout().byteSize(); }

    /**
     * Allocate a segment of size {@code layout().byteSize()} using {@code allocator}
     */
    public static MemorySegment allocate(SegmentAllocator allocator) {
        return allocator.allocate(layout());
    }

    /**
     * Allocate an array of size {@code elementCount} using {@code allocator}.
     * The returned segment has size {@code elementCount * layout().byteSize()}.
     */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, Arena arena, Consumer<MemorySegment> cleanup) {
        return reinterpret(addr, 1, arena, cleanup);
    }

    /**
     * Reinterprets {@code addr} using target {@code arena} and {@code cleanupAction} (if any).
     * The returned segment has size {@code elementCount * layout().byteSize()}
     */
    public static MemorySegment reinterpret(MemorySegment addr, long elementCount, Arena arena, Consumer<MemorySegment> cleanup) {
        return addr.reinterpret(layout().byteSize() * elementCount, arena, cleanup);
    }
}

