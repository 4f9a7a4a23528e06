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
 * struct rwkvx_batch_item {
 *     rwkvx_state *state;
 *     const int32_t *tokens;
 *     int64_t n_tokens;
 *     float *logits;
 *     int32_t logits_mode;
 *     int32_t reserved;
 * }
 * }
 */
public class rwkvx_batch_item {

    rwkvx_batch_item() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rwkvx_h.C_POINTER.withName("state"),
        rwkvx_h.C_POINTER.withName("tokens"),
        rwkvx_h.C_LONG.withName("n_tokens"),
        rwkvx_h.C_POINTER.withName("logits"),
        rwkvx_h.C_INT.withName("logits_mode"),
        rwkvx_h.C_INT.withName("reserved")
    ).withName("rwkvx_batch_item");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final AddressLayout state$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("state"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * rwkvx_state *state
     * }
     */
    public static final AddressLayout state$layout() {
        return state$LAYOUT;
    }

    private static final long state$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * rwkvx_state *state
     * }
     */
    public static final long state$offset() {
        return state$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * rwkvx_state *state
     * }
     */
    public static MemorySegment state(MemorySegment struct) {
        return struct.get(state$LAYOUT, state$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * rwkvx_state *state
     * }
     */
    public static void state(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(state$LAYOUT, state$OFFSET, fieldValue);
    }

    private static final AddressLayout tokens$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("tokens"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const int32_t *tokens
     * }
     */
    public static final AddressLayout tokens$layout() {
        return tokens$LAYOUT;
    }

    private static final long tokens$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const int32_t *tokens
     * }
     */
    public static final long tokens$offset() {
        return tokens$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const int32_t *tokens
     * }
     */
    public static MemorySegment tokens(MemorySegment struct) {
        return struct.get(tokens$LAYOUT, tokens$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const int32_t *tokens
     * }
     */
    public static void tokens(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(tokens$LAYOUT, tokens$OFFSET, fieldValue);
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

    private static final long n_tokens$OFFSET = 16;

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

    private static final AddressLayout logits$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("logits"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float *logits
     * }
     */
    public static final AddressLayout logits$layout() {
        return logits$LAYOUT;
    }

    private static final long logits$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float *logits
     * }
     */
    public static final long logits$offset() {
        return logits$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float *logits
     * }
     */
    public static MemorySegment logits(MemorySegment struct) {
        return struct.get(logits$LAYOUT, logits$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float *logits
     * }
     */
    public static void logits(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(logits$LAYOUT, logits$OFFSET, fieldValue);
    }

    private static final OfInt logits_mode$LAYOUT = (OfInt)$LAYOUT.select(groupElement("logits_mode"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t logits_mode
     * }
     */
    public static final OfInt logits_mode$layout() {
        return logits_mode$LAYOUT;
    }

    private static final long logits_mode$OFFSET = 32;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t logits_mode
     * }
     */
    public static final long logits_mode$offset() {
        return logits_mode$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t logits_mode
     * }
     */
    public static int logits_mode(MemorySegment struct) {
        return struct.get(logits_mode$LAYOUT, logits_mode$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t logits_mode
     * }
     */
    public static void logits_mode(MemorySegment struct, int fieldValue) {
        struct.set(logits_mode$LAYOUT, logits_mode$OFFSET, fieldValue);
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

    private static final long reserved$OFFSET = 36;

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

