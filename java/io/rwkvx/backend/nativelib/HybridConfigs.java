package io.rwkvx.backend.nativelib;

import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.ffi.rwkvx_hybrid_config;
import io.rwkvx.model.HybridConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@link HybridConfig} as the native {@code rwkvx_hybrid_config}. */
final class HybridConfigs {
    private HybridConfigs() {}

    static MemorySegment toNative(HybridConfig h, Arena arena) {
        MemorySegment c = rwkvx_hybrid_config.allocate(arena);
        rwkvx_hybrid_config.chunk_size(c, h.chunkSize());
        rwkvx_hybrid_config.top_k(c, h.topK());
        rwkvx_hybrid_config.scope(
                c, h.perHeadScope() ? rwkvx_h.RWKVX_ATTN_SCOPE_HEAD() : rwkvx_h.RWKVX_ATTN_SCOPE_ALL());
        rwkvx_hybrid_config.prefill_mode(
                c, h.prefillSparse() ? rwkvx_h.RWKVX_ATTN_SPARSE() : rwkvx_h.RWKVX_ATTN_FULL());
        rwkvx_hybrid_config.decode_mode(c, h.decodeSparse() ? rwkvx_h.RWKVX_ATTN_SPARSE() : rwkvx_h.RWKVX_ATTN_FULL());
        rwkvx_hybrid_config.kv_dtype(c, h.kvDtype().code);
        rwkvx_hybrid_config.dense_below(c, h.denseBelow());
        rwkvx_hybrid_config.kv_max_size(c, h.kvMaxSize());
        rwkvx_hybrid_config.kv_window(c, h.kvWindow());
        rwkvx_hybrid_config.kv_min_size(c, h.kvMinSize());
        return c;
    }
}
