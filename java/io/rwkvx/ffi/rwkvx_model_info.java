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
 * struct rwkvx_model_info {
 *     int32_t arch;
 *     int32_t n_layer;
 *     int32_t n_embd;
 *     int32_t n_head;
 *     int32_t head_size;
 *     int32_t n_vocab;
 *     int32_t ffn_size;
 *     int32_t weight_dtype;
 *     int64_t n_params;
 *     int64_t weight_bytes;
 *     int64_t state_bytes;
 * }
 * }
 */
public class rwkvx_model_info {

    rwkvx_model_info() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rwkvx_h.C_INT.withName("arch"),
        rwkvx_h.C_INT.withName("n_layer"),
        rwkvx_h.C_INT.withName("n_embd"),
        rwkvx_h.C_INT.withName("n_head"),
        rwkvx_h.C_INT.withName("head_size"),
        rwkvx_h.C_INT.withName("n_vocab"),
        rwkvx_h.C_INT.withName("ffn_size"),
        rwkvx_h.C_INT.withName("weight_dtype"),
        rwkvx_h.C_LONG.withName("n_params"),
        rwkvx_h.C_LONG.withName("weight_bytes"),
        rwkvx_h.C_LONG.withName("state_bytes")
    ).withName("rwkvx_model_info");

    /**
     * The layout of this struct
     */
    public static final GroupLayout layout() {
        return $LAYOUT;
    }

    private static final OfInt arch$LAYOUT = (OfInt)$LAYOUT.select(groupElement("arch"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t arch
     * }
     */
    public static final OfInt arch$layout() {
        return arch$LAYOUT;
    }

    private static final long arch$OFFSET = 0;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t arch
     * }
     */
    public static final long arch$offset() {
        return arch$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t arch
     * }
     */
    public static int arch(MemorySegment struct) {
        return struct.get(arch$LAYOUT, arch$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t arch
     * }
     */
    public static void arch(MemorySegment struct, int fieldValue) {
        struct.set(arch$LAYOUT, arch$OFFSET, fieldValue);
    }

    private static final OfInt n_layer$LAYOUT = (OfInt)$LAYOUT.select(groupElement("n_layer"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t n_layer
     * }
     */
    public static final OfInt n_layer$layout() {
        return n_layer$LAYOUT;
    }

    private static final long n_layer$OFFSET = 4;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t n_layer
     * }
     */
    public static final long n_layer$offset() {
        return n_layer$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t n_layer
     * }
     */
    public static int n_layer(MemorySegment struct) {
        return struct.get(n_layer$LAYOUT, n_layer$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t n_layer
     * }
     */
    public static void n_layer(MemorySegment struct, int fieldValue) {
        struct.set(n_layer$LAYOUT, n_layer$OFFSET, fieldValue);
    }

    private static final OfInt n_embd$LAYOUT = (OfInt)$LAYOUT.select(groupElement("n_embd"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t n_embd
     * }
     */
    public static final OfInt n_embd$layout() {
        return n_embd$LAYOUT;
    }

    private static final long n_embd$OFFSET = 8;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t n_embd
     * }
     */
    public static final long n_embd$offset() {
        return n_embd$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t n_embd
     * }
     */
    public static int n_embd(MemorySegment struct) {
        return struct.get(n_embd$LAYOUT, n_embd$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t n_embd
     * }
     */
    public static void n_embd(MemorySegment struct, int fieldValue) {
        struct.set(n_embd$LAYOUT, n_embd$OFFSET, fieldValue);
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

    private static final long n_head$OFFSET = 12;

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

    private static final long head_size$OFFSET = 16;

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

    private static final OfInt n_vocab$LAYOUT = (OfInt)$LAYOUT.select(groupElement("n_vocab"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t n_vocab
     * }
     */
    public static final OfInt n_vocab$layout() {
        return n_vocab$LAYOUT;
    }

    private static final long n_vocab$OFFSET = 20;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t n_vocab
     * }
     */
    public static final long n_vocab$offset() {
        return n_vocab$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t n_vocab
     * }
     */
    public static int n_vocab(MemorySegment struct) {
        return struct.get(n_vocab$LAYOUT, n_vocab$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t n_vocab
     * }
     */
    public static void n_vocab(MemorySegment struct, int fieldValue) {
        struct.set(n_vocab$LAYOUT, n_vocab$OFFSET, fieldValue);
    }

    private static final OfInt ffn_size$LAYOUT = (OfInt)$LAYOUT.select(groupElement("ffn_size"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t ffn_size
     * }
     */
    public static final OfInt ffn_size$layout() {
        return ffn_size$LAYOUT;
    }

    private static final long ffn_size$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t ffn_size
     * }
     */
    public static final long ffn_size$offset() {
        return ffn_size$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t ffn_size
     * }
     */
    public static int ffn_size(MemorySegment struct) {
        return struct.get(ffn_size$LAYOUT, ffn_size$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t ffn_size
     * }
     */
    public static void ffn_size(MemorySegment struct, int fieldValue) {
        struct.set(ffn_size$LAYOUT, ffn_size$OFFSET, fieldValue);
    }

    private static final OfInt weight_dtype$LAYOUT = (OfInt)$LAYOUT.select(groupElement("weight_dtype"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t weight_dtype
     * }
     */
    public static final OfInt weight_dtype$layout() {
        return weight_dtype$LAYOUT;
    }

    private static final long weight_dtype$OFFSET = 28;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t weight_dtype
     * }
     */
    public static final long weight_dtype$offset() {
        return weight_dtype$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t weight_dtype
     * }
     */
    public static int weight_dtype(MemorySegment struct) {
        return struct.get(weight_dtype$LAYOUT, weight_dtype$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t weight_dtype
     * }
     */
    public static void weight_dtype(MemorySegment struct, int fieldValue) {
        struct.set(weight_dtype$LAYOUT, weight_dtype$OFFSET, fieldValue);
    }

    private static final OfLong n_params$LAYOUT = (OfLong)$LAYOUT.select(groupElement("n_params"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t n_params
     * }
     */
    public static final OfLong n_params$layout() {
        return n_params$LAYOUT;
    }

    private static final long n_params$OFFSET = 32;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t n_params
     * }
     */
    public static final long n_params$offset() {
        return n_params$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t n_params
     * }
     */
    public static long n_params(MemorySegment struct) {
        return struct.get(n_params$LAYOUT, n_params$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t n_params
     * }
     */
    public static void n_params(MemorySegment struct, long fieldValue) {
        struct.set(n_params$LAYOUT, n_params$OFFSET, fieldValue);
    }

    private static final OfLong weight_bytes$LAYOUT = (OfLong)$LAYOUT.select(groupElement("weight_bytes"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t weight_bytes
     * }
     */
    public static final OfLong weight_bytes$layout() {
        return weight_bytes$LAYOUT;
    }

    private static final long weight_bytes$OFFSET = 40;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t weight_bytes
     * }
     */
    public static final long weight_bytes$offset() {
        return weight_bytes$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t weight_bytes
     * }
     */
    public static long weight_bytes(MemorySegment struct) {
        return struct.get(weight_bytes$LAYOUT, weight_bytes$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t weight_bytes
     * }
     */
    public static void weight_bytes(MemorySegment struct, long fieldValue) {
        struct.set(weight_bytes$LAYOUT, weight_bytes$OFFSET, fieldValue);
    }

    private static final OfLong state_bytes$LAYOUT = (OfLong)$LAYOUT.select(groupElement("state_bytes"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t state_bytes
     * }
     */
    public static final OfLong state_bytes$layout() {
        return state_bytes$LAYOUT;
    }

    private static final long state_bytes$OFFSET = 48;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t state_bytes
     * }
     */
    public static final long state_bytes$offset() {
        return state_bytes$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t state_bytes
     * }
     */
    public static long state_bytes(MemorySegment struct) {
        return struct.get(state_bytes$LAYOUT, state_bytes$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t state_bytes
     * }
     */
    public static void state_bytes(MemorySegment struct, long fieldValue) {
        struct.set(state_bytes$LAYOUT, state_bytes$OFFSET, fieldValue);
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

