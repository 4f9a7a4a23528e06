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
 * struct rwkvx_wkv4_params {
 *     int64_t n_tokens;
 *     int64_t n_channels;
 *     const float *time_decay;
 *     const float *time_first;
 *     const float *k;
 *     const float *v;
 *     float *state;
 *     float *y;
 *     int32_t memory;
 *     int32_t reserved;
 * }
 * }
 */
public class rwkvx_wkv4_params {

    rwkvx_wkv4_params() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rwkvx_h.C_LONG.withName("n_tokens"),
        rwkvx_h.C_LONG.withName("n_channels"),
        rwkvx_h.C_POINTER.withName("time_decay"),
        rwkvx_h.C_POINTER.withName("time_first"),
        rwkvx_h.C_POINTER.withName("k"),
        rwkvx_h.C_POINTER.withName("v"),
        rwkvx_h.C_POINTER.withName("state"),
        rwkvx_h.C_POINTER.withName("y"),
        rwkvx_h.C_INT.withName("memory"),
        rwkvx_h.C_INT.withName("reserved")
    ).withName("rwkvx_wkv4_params");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfLong n_tokens$LAYOUT = (OfLong)$LAYOUT.select(groupElement("n_tokens"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t n_tokens
     * }
     */
    public static final OfLong n_tokens$layout() {
        return n_tokens$LAYOUT;
    }

    private static final long n_tokens$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t n_tokens
     * }
     */
    public static final long n_tokens$offset() {
        return n_tokens$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t n_tokens
     * }
     */
    public static long n_tokens(MemorySegment struct) {
        return struct.get(n_tokens$LAYOUT, n_tokens$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t n_tokens
     * }
     */
    public static void n_tokens(MemorySegment struct, long fieldValue) {
        struct.set(n_tokens$LAYOUT, n_tokens$OFFSET, fieldValue);
    }

    private static final OfLong n_channels$LAYOUT = (OfLong)$LAYOUT.select(groupElement("n_channels"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t n_channels
     * }
     */
    public static final OfLong n_channels$layout() {
        return n_channels$LAYOUT;
    }

    private static final long n_channels$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t n_channels
     * }
     */
    public static final long n_channels$offset() {
        return n_channels$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t n_channels
     * }
     */
    public static long n_channels(MemorySegment struct) {
        return struct.get(n_channels$LAYOUT, n_channels$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t n_channels
     * }
     */
    public static void n_channels(MemorySegment struct, long fieldValue) {
        struct.set(n_channels$LAYOUT, n_channels$OFFSET, fieldValue);
    }

    private static final AddressLayout time_decay$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("time_decay"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *time_decay
     * }
     */
    public static final AddressLayout time_decay$layout() {
        return time_decay$LAYOUT;
    }

    private static final long time_decay$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *time_decay
     * }
     */
    public static final long time_decay$offset() {
        return time_decay$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *time_decay
     * }
     */
    public static MemorySegment time_decay(MemorySegment struct) {
        return struct.get(time_decay$LAYOUT, time_decay$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *time_decay
     * }
     */
    public static void time_decay(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(time_decay$LAYOUT, time_decay$OFFSET, fieldValue);
    }

    private static final AddressLayout time_first$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("time_first"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *time_first
     * }
     */
    public static final AddressLayout time_first$layout() {
        return time_first$LAYOUT;
    }

    private static final long time_first$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *time_first
     * }
     */
    public static final long time_first$offset() {
        return time_first$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *time_first
     * }
     */
    public static MemorySegment time_first(MemorySegment struct) {
        return struct.get(time_first$LAYOUT, time_first$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *time_first
     * }
     */
    public static void time_first(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(time_first$LAYOUT, time_first$OFFSET, fieldValue);
    }

    private static final AddressLayout k$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("k"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *k
     * }
     */
    public static final AddressLayout k$layout() {
        return k$LAYOUT;
    }

    private static final long k$OFFSET = 32;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *k
     * }
     */
    public static final long k$offset() {
        return k$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *k
     * }
     */
    public static MemorySegment k(MemorySegment struct) {
        return struct.get(k$LAYOUT, k$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *k
     * }
     */
    public static void k(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(k$LAYOUT, k$OFFSET, fieldValue);
    }

    private static final AddressLayout v$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("v"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *v
     * }
     */
    public static final AddressLayout v$layout() {
        return v$LAYOUT;
    }

    private static final long v$OFFSET = 40;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *v
     * }
     */
    public static final long v$offset() {
        return v$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *v
     * }
     */
    public static MemorySegment v(MemorySegment struct) {
        return struct.get(v$LAYOUT, v$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *v
     * }
     */
    public static void v(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(v$LAYOUT, v$OFFSET, fieldValue);
    }

    private static final AddressLayout state$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("state"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float *state
     * }
     */
    public static final AddressLayout state$layout() {
        return state$LAYOUT;
    }

    private static final long state$OFFSET = 48;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float *state
     * }
     */
    public static final long state$offset() {
        return state$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float *state
     * }
     */
    public static MemorySegment state(MemorySegment struct) {
        return struct.get(state$LAYOUT, state$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float *state
     * }
     */
    public static void state(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(state$LAYOUT, state$OFFSET, fieldValue);
    }

    private static final AddressLayout y$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("y"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float *y
     * }
     */
    public static final AddressLayout y$layout() {
        return y$LAYOUT;
    }

    private static final long y$OFFSET = 56;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float *y
     * }
     */
    public static final long y$offset() {
        return y$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float *y
     * }
     */
    public static MemorySegment y(MemorySegment struct) {
        return struct.get(y$LAYOUT, y$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float *y
     * }
     */
    public static void y(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(y$LAYOUT, y$OFFSET, fieldValue);
    }

    private static final OfInt memory$LAYOUT = (OfInt)$LAYOUT.select(groupElement("memory"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t memory
     * }
     */
    public static final OfInt memory$layout() {
        return memory$LAYOUT;
    }

    private static final long memory$OFFSET = 64;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t memory
     * }
     */
    public static final long memory$offset() {
        return memory$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t memory
     * }
     */
    public static int memory(MemorySegment struct) {
        return struct.get(memory$LAYOUT, memory$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t memory
     * }
     */
    public static void memory(MemorySegment struct, int fieldValue) {
        struct.set(memory$LAYOUT, memory$OFFSET, fieldValue);
    }

    private static final OfInt reserved$LAYOUT = (OfInt)$LAYOUT.select(groupElement("reserved"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t reserved
     * }
     */
    public static final OfInt reserved$layout() {
        return reserved$LAYOUT;
    }

    private static final long reserved$OFFSET = 68;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t reserved
     * }
     */
    public static final long reserved$offset() {
        return reserved$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t reserved
     * }
     */
    public static int reserved(MemorySegment struct) {
        return struct.get(reserved$LAYOUT, reserved$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t reserved
     * }
     */
    public static void reserved(MemorySegment struct, int fieldValue) {
        struct.set(reserved$LAYOUT, reserved$OFFSET, fieldValue);
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

