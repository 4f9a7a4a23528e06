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
 * struct rwkvx_wkv7_params {
 *     int64_t n_tokens;
 *     int32_t n_head;
 *     int32_t head_size;
 *     const float *r;
 *     const float *w;
 *     const float *k;
 *     const float *v;
 *     const float *a;
 *     const float *b;
 *     float *state;
 *     float *y;
 *     int32_t memory;
 *     int32_t reserved;
 * }
 * }
 */
/**
 * {@snippet lang=c :
 * struct rwkvx_kv_cache_config {
 *     int32_t n_head;
 *     int32_t head_size;
 *     int32_t dtype;
 *     int32_t chunk_size;
 *     int64_t capacity;
 *     int64_t max_size;
 *     int64_t window;
 *     int64_t min_size;
 * }
 * }
 */
public class rwkvx_kv_cache_config {

    rwkvx_kv_cache_config() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rwkvx_h.C_INT.withName("n_head"),
        rwkvx_h.C_INT.withName("head_size"),
        rwkvx_h.C_INT.withName("dtype"),
        rwkvx_h.C_INT.withName("chunk_size"),
        rwkvx_h.C_LONG.withName("capacity"),
        rwkvx_h.C_LONG.withName("max_size"),
        rwkvx_h.C_LONG.withName("window"),
        rwkvx_h.C_LONG.withName("min_size")
    ).withName("rwkvx_kv_cache_config");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt n_head$LAYOUT = (OfInt)$LAYOUT.select(groupElement("n_head"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t n_head
     * }
     */
    public static final OfInt n_head$layout() {
        return n_head$LAYOUT;
    }

    private static final long n_head$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t n_head
     * }
     */
    public static final long n_head$offset() {
        return n_head$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t n_head
     * }
     */
    public static int n_head(MemorySegment struct) {
        return struct.get(n_head$LAYOUT, n_head$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t n_head
     * }
     */
    public static void n_head(MemorySegment struct, int fieldValue) {
        struct.set(n_head$LAYOUT, n_head$OFFSET, fieldValue);
    }

    private static final OfInt head_size$LAYOUT = (OfInt)$LAYOUT.select(groupElement("head_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t head_size
     * }
     */
    public static final OfInt head_size$layout() {
        return head_size$LAYOUT;
    }

    private static final long head_size$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t head_size
     * }
     */
    public static final long head_size$offset() {
        return head_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t head_size
     * }
     */
    public static int head_size(MemorySegment struct) {
        return struct.get(head_size$LAYOUT, head_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t head_size
     * }
     */
    public static void head_size(MemorySegment struct, int fieldValue) {
        struct.set(head_size$LAYOUT, head_size$OFFSET, fieldValue);
    }

    private static final OfInt dtype$LAYOUT = (OfInt)$LAYOUT.select(groupElement("dtype"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static final OfInt dtype$layout() {
        return dtype$LAYOUT;
    }

    private static final long dtype$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static final long dtype$offset() {
        return dtype$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static int dtype(MemorySegment struct) {
        return struct.get(dtype$LAYOUT, dtype$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t dtype
     * }
     */
    public static void dtype(MemorySegment struct, int fieldValue) {
        struct.set(dtype$LAYOUT, dtype$OFFSET, fieldValue);
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

    private static final long chunk_size$OFFSET = 12;

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

    private static final OfLong capacity$LAYOUT = (OfLong)$LAYOUT.select(groupElement("capacity"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t capacity
     * }
     */
    public static final OfLong capacity$layout() {
        return capacity$LAYOUT;
    }

    private static final long capacity$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t capacity
     * }
     */
    public static final long capacity$offset() {
        return capacity$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t capacity
     * }
     */
    public static long capacity(MemorySegment struct) {
        return struct.get(capacity$LAYOUT, capacity$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t capacity
     * }
     */
    public static void capacity(MemorySegment struct, long fieldValue) {
        struct.set(capacity$LAYOUT, capacity$OFFSET, fieldValue);
    }

    private static final OfLong max_size$LAYOUT = (OfLong)$LAYOUT.select(groupElement("max_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t max_size
     * }
     */
    public static final OfLong max_size$layout() {
        return max_size$LAYOUT;
    }

    private static final long max_size$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t max_size
     * }
     */
    public static final long max_size$offset() {
        return max_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t max_size
     * }
     */
    public static long max_size(MemorySegment struct) {
        return struct.get(max_size$LAYOUT, max_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t max_size
     * }
     */
    public static void max_size(MemorySegment struct, long fieldValue) {
        struct.set(max_size$LAYOUT, max_size$OFFSET, fieldValue);
    }

    private static final OfLong window$LAYOUT = (OfLong)$LAYOUT.select(groupElement("window"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t window
     * }
     */
    public static final OfLong window$layout() {
        return window$LAYOUT;
    }

    private static final long window$OFFSET = 32;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t window
     * }
     */
    public static final long window$offset() {
        return window$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t window
     * }
     */
    public static long window(MemorySegment struct) {
        return struct.get(window$LAYOUT, window$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t window
     * }
     */
    public static void window(MemorySegment struct, long fieldValue) {
        struct.set(window$LAYOUT, window$OFFSET, fieldValue);
    }

    private static final OfLong min_size$LAYOUT = (OfLong)$LAYOUT.select(groupElement("min_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t min_size
     * }
     */
    public static final OfLong min_size$layout() {
        return min_size$LAYOUT;
    }

    private static final long min_size$OFFSET = 40;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t min_size
     * }
     */
    public static final long min_size$offset() {
        return min_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t min_size
     * }
     */
    public static long min_size(MemorySegment struct) {
        return struct.get(min_size$LAYOUT, min_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t min_size
     * }
     */
    public static void min_size(MemorySegment struct, long fieldValue) {
        struct.set(min_size$LAYOUT, min_size$OFFSET, fieldValue);
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

