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
 * struct rwkvx_attention_params {
 *     int64_t n_tokens;
 *     int32_t n_head;
 *     int32_t head_size;
 *     int32_t kv_dtype;
 *     int32_t mode;
 *     int32_t causal;
 *     int32_t chunk_size;
 *     int32_t top_k;
 *     int32_t scope;
 *     int32_t memory;
 *     int32_t reserved;
 *     int64_t dense_below;
 *     float scale;
 *     uint32_t diagnostics;
 *     const float *q;
 *     const void *k;
 *     const void *v;
 *     float *o;
 *     float *lse;
 *     int64_t q_stride;
 *     int64_t k_stride;
 *     int64_t v_stride;
 *     int64_t o_stride;
 * }
 * }
 */
public class rwkvx_attention_params {

    rwkvx_attention_params() {
        // Should not be called directly
    }

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
        rwkvx_h.C_LONG.withName("n_tokens"),
        rwkvx_h.C_INT.withName("n_head"),
        rwkvx_h.C_INT.withName("head_size"),
        rwkvx_h.C_INT.withName("kv_dtype"),
        rwkvx_h.C_INT.withName("mode"),
        rwkvx_h.C_INT.withName("causal"),
        rwkvx_h.C_INT.withName("chunk_size"),
        rwkvx_h.C_INT.withName("top_k"),
        rwkvx_h.C_INT.withName("scope"),
        rwkvx_h.C_INT.withName("memory"),
        rwkvx_h.C_INT.withName("reserved"),
        rwkvx_h.C_LONG.withName("dense_below"),
        rwkvx_h.C_FLOAT.withName("scale"),
        rwkvx_h.C_INT.withName("diagnostics"),
        rwkvx_h.C_POINTER.withName("q"),
        rwkvx_h.C_POINTER.withName("k"),
        rwkvx_h.C_POINTER.withName("v"),
        rwkvx_h.C_POINTER.withName("o"),
        rwkvx_h.C_POINTER.withName("lse"),
        rwkvx_h.C_LONG.withName("q_stride"),
        rwkvx_h.C_LONG.withName("k_stride"),
        rwkvx_h.C_LONG.withName("v_stride"),
        rwkvx_h.C_LONG.withName("o_stride")
    ).withName("rwkvx_attention_params");

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

    private static final long kv_dtype$OFFSET = 16;

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

    private static final OfInt mode$LAYOUT = (OfInt)$LAYOUT.select(groupElement("mode"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t mode
     * }
     */
    public static final OfInt mode$layout() {
        return mode$LAYOUT;
    }

    private static final long mode$OFFSET = 20;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t mode
     * }
     */
    public static final long mode$offset() {
        return mode$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t mode
     * }
     */
    public static int mode(MemorySegment struct) {
        return struct.get(mode$LAYOUT, mode$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t mode
     * }
     */
    public static void mode(MemorySegment struct, int fieldValue) {
        struct.set(mode$LAYOUT, mode$OFFSET, fieldValue);
    }

    private static final OfInt causal$LAYOUT = (OfInt)$LAYOUT.select(groupElement("causal"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static final OfInt causal$layout() {
        return causal$LAYOUT;
    }

    private static final long causal$OFFSET = 24;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static final long causal$offset() {
        return causal$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static int causal(MemorySegment struct) {
        return struct.get(causal$LAYOUT, causal$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int32_t causal
     * }
     */
    public static void causal(MemorySegment struct, int fieldValue) {
        struct.set(causal$LAYOUT, causal$OFFSET, fieldValue);
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

    private static final long chunk_size$OFFSET = 28;

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

    private static final long top_k$OFFSET = 32;

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

    private static final long scope$OFFSET = 36;

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

    private static final long memory$OFFSET = 40;

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

    private static final long reserved$OFFSET = 44;

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

    private static final long dense_below$OFFSET = 48;

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

    private static final OfFloat scale$LAYOUT = (OfFloat)$LAYOUT.select(groupElement("scale"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float scale
     * }
     */
    public static final OfFloat scale$layout() {
        return scale$LAYOUT;
    }

    private static final long scale$OFFSET = 56;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float scale
     * }
     */
    public static final long scale$offset() {
        return scale$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float scale
     * }
     */
    public static float scale(MemorySegment struct) {
        return struct.get(scale$LAYOUT, scale$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float scale
     * }
     */
    public static void scale(MemorySegment struct, float fieldValue) {
        struct.set(scale$LAYOUT, scale$OFFSET, fieldValue);
    }

    private static final OfInt diagnostics$LAYOUT = (OfInt)$LAYOUT.select(groupElement("diagnostics"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * uint32_t diagnostics
     * }
     */
    public static final OfInt diagnostics$layout() {
        return diagnostics$LAYOUT;
    }

    private static final long diagnostics$OFFSET = 60;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * uint32_t diagnostics
     * }
     */
    public static final long diagnostics$offset() {
        return diagnostics$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * uint32_t diagnostics
     * }
     */
    public static int diagnostics(MemorySegment struct) {
        return struct.get(diagnostics$LAYOUT, diagnostics$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * uint32_t diagnostics
     * }
     */
    public static void diagnostics(MemorySegment struct, int fieldValue) {
        struct.set(diagnostics$LAYOUT, diagnostics$OFFSET, fieldValue);
    }

    private static final AddressLayout q$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("q"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const float *q
     * }
     */
    public static final AddressLayout q$layout() {
        return q$LAYOUT;
    }

    private static final long q$OFFSET = 64;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const float *q
     * }
     */
    public static final long q$offset() {
        return q$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const float *q
     * }
     */
    public static MemorySegment q(MemorySegment struct) {
        return struct.get(q$LAYOUT, q$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const float *q
     * }
     */
    public static void q(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(q$LAYOUT, q$OFFSET, fieldValue);
    }

    private static final AddressLayout k$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("k"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static final AddressLayout k$layout() {
        return k$LAYOUT;
    }

    private static final long k$OFFSET = 72;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static final long k$offset() {
        return k$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static MemorySegment k(MemorySegment struct) {
        return struct.get(k$LAYOUT, k$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const void *k
     * }
     */
    public static void k(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(k$LAYOUT, k$OFFSET, fieldValue);
    }

    private static final AddressLayout v$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("v"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static final AddressLayout v$layout() {
        return v$LAYOUT;
    }

    private static final long v$OFFSET = 80;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static final long v$offset() {
        return v$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static MemorySegment v(MemorySegment struct) {
        return struct.get(v$LAYOUT, v$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * const void *v
     * }
     */
    public static void v(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(v$LAYOUT, v$OFFSET, fieldValue);
    }

    private static final AddressLayout o$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("o"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float *o
     * }
     */
    public static final AddressLayout o$layout() {
        return o$LAYOUT;
    }

    private static final long o$OFFSET = 88;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float *o
     * }
     */
    public static final long o$offset() {
        return o$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float *o
     * }
     */
    public static MemorySegment o(MemorySegment struct) {
        return struct.get(o$LAYOUT, o$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float *o
     * }
     */
    public static void o(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(o$LAYOUT, o$OFFSET, fieldValue);
    }

    private static final AddressLayout lse$LAYOUT = (AddressLayout)$LAYOUT.select(groupElement("lse"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static final AddressLayout lse$layout() {
        return lse$LAYOUT;
    }

    private static final long lse$OFFSET = 96;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static final long lse$offset() {
        return lse$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static MemorySegment lse(MemorySegment struct) {
        return struct.get(lse$LAYOUT, lse$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * float *lse
     * }
     */
    public static void lse(MemorySegment struct, MemorySegment fieldValue) {
        struct.set(lse$LAYOUT, lse$OFFSET, fieldValue);
    }

    private static final OfLong q_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("q_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t q_stride
     * }
     */
    public static final OfLong q_stride$layout() {
        return q_stride$LAYOUT;
    }

    private static final long q_stride$OFFSET = 104;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t q_stride
     * }
     */
    public static final long q_stride$offset() {
        return q_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t q_stride
     * }
     */
    public static long q_stride(MemorySegment struct) {
        return struct.get(q_stride$LAYOUT, q_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t q_stride
     * }
     */
    public static void q_stride(MemorySegment struct, long fieldValue) {
        struct.set(q_stride$LAYOUT, q_stride$OFFSET, fieldValue);
    }

    private static final OfLong k_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("k_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t k_stride
     * }
     */
    public static final OfLong k_stride$layout() {
        return k_stride$LAYOUT;
    }

    private static final long k_stride$OFFSET = 112;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t k_stride
     * }
     */
    public static final long k_stride$offset() {
        return k_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t k_stride
     * }
     */
    public static long k_stride(MemorySegment struct) {
        return struct.get(k_stride$LAYOUT, k_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t k_stride
     * }
     */
    public static void k_stride(MemorySegment struct, long fieldValue) {
        struct.set(k_stride$LAYOUT, k_stride$OFFSET, fieldValue);
    }

    private static final OfLong v_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("v_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t v_stride
     * }
     */
    public static final OfLong v_stride$layout() {
        return v_stride$LAYOUT;
    }

    private static final long v_stride$OFFSET = 120;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t v_stride
     * }
     */
    public static final long v_stride$offset() {
        return v_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t v_stride
     * }
     */
    public static long v_stride(MemorySegment struct) {
        return struct.get(v_stride$LAYOUT, v_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t v_stride
     * }
     */
    public static void v_stride(MemorySegment struct, long fieldValue) {
        struct.set(v_stride$LAYOUT, v_stride$OFFSET, fieldValue);
    }

    private static final OfLong o_stride$LAYOUT = (OfLong)$LAYOUT.select(groupElement("o_stride"));

    /**
     * Layout for field:
     * {@snippet lang=c :
     * int64_t o_stride
     * }
     */
    public static final OfLong o_stride$layout() {
        return o_stride$LAYOUT;
    }

    private static final long o_stride$OFFSET = 128;

    /**
     * Offset for field:
     * {@snippet lang=c :
     * int64_t o_stride
     * }
     */
    public static final long o_stride$offset() {
        return o_stride$OFFSET;
    }

    /**
     * Getter for field:
     * {@snippet lang=c :
     * int64_t o_stride
     * }
     */
    public static long o_stride(MemorySegment struct) {
        return struct.get(o_stride$LAYOUT, o_stride$OFFSET);
    }

    /**
     * Setter for field:
     * {@snippet lang=c :
     * int64_t o_stride
     * }
     */
    public static void o_stride(MemorySegment struct, long fieldValue) {
        struct.set(o_stride$LAYOUT, o_stride$OFFSET, fieldValue);
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

