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
 * struct rwkvx_wkv5_params {
 *     int64_t n_tokens;
 *     int32_t n_head;
 *     int32_t head_size;
 *     int32_t w_per_token;
 *     int32_t memory;
 *     const float *r;
 *     const float *k;
 *     const float *v;
 *     const float *w;
 *     const float *u;
 *     float *state;
 *     float *y;
 * }
 * }
 */
public class rwkvx_wkv5_params {

    rwkvx_wkv5_params() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rwkvx_h.C_LONG.withName("n_tokens"),
        rwkvx_h.C_INT.withName("n_head"),
        rwkvx_h.C_INT.withName("head_size"),
        rwkvx_h.C_INT.withName("w_per_token"),
        rwkvx_h.C_INT.withName("memory"),
        rwkvx_h.C_POINTER.withName("r"),
        rwkvx_h.C_POINTER.withName("k"),
        rwkvx_h.C_POINTER.withName("v"),
        rwkvx_h.C_POINTER.withName("w"),
        rwkvx_h.C_POINTER.withName("u"),
        rwkvx_h.C_POINTER.withName("state"),
        rwkvx_h.C_POINTER.withName("y")
    ).withName("rwkvx_wkv5_params");

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

    private static final long n_head$OFFSET = 8;

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

    private static final long head_size$OFFSET = 12;

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

    private static final OfInt w_per_token$LAYOUT = (OfInt)$LAYOUT.select(groupElement("w_per_token"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t w_per_token
     * }
     */
    public static final OfInt w_per_token$layout() {
        return w_per_token$LAYOUT;
    }

    private static final long w_per_token$OFFSET = 16;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t w_per_token
     * }
     */
    public static final long w_per_token$offset() {
        return w_per_token$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t w_per_token
     * }
     */
    public static int w_per_token(MemorySegment struct) {
        return struct.get(w_per_token$LAYOUT, w_per_token$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t w_per_token
     * }
     */
    public static void w_per_token(MemorySegment struct, int fieldValue) {
        struct.set(w_per_token$LAYOUT, w_per_token$OFFSET, fieldValue);
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

    private static final long memory$OFFSET = 20;

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

    private static final AddressLayout r$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("r"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *r
     * }
     */
    public static final AddressLayout r$layout() {
        return r$LAYOUT;
    }

    private static final long r$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *r
     * }
     */
    public static final long r$offset() {
        return r$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *r
     * }
     */
    public static MemorySegment r(MemorySegment struct) {
        return struct.get(r$LAYOUT, r$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *r
     * }
     */
    public static void r(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(r$LAYOUT, r$OFFSET, fieldValue);
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

    private static final AddressLayout w$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("w"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *w
     * }
     */
    public static final AddressLayout w$layout() {
        return w$LAYOUT;
    }

    private static final long w$OFFSET = 48;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *w
     * }
     */
    public static final long w$offset() {
        return w$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *w
     * }
     */
    public static MemorySegment w(MemorySegment struct) {
        return struct.get(w$LAYOUT, w$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *w
     * }
     */
    public static void w(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(w$LAYOUT, w$OFFSET, fieldValue);
    }

    private static final AddressLayout u$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("u"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *u
     * }
     */
    public static final AddressLayout u$layout() {
        return u$LAYOUT;
    }

    private static final long u$OFFSET = 56;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *u
     * }
     */
    public static final long u$offset() {
        return u$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *u
     * }
     */
    public static MemorySegment u(MemorySegment struct) {
        return struct.get(u$LAYOUT, u$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *u
     * }
     */
    public static void u(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(u$LAYOUT, u$OFFSET, fieldValue);
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

    private static final long state$OFFSET = 64;

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

    private static final long y$OFFSET = 72;

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

