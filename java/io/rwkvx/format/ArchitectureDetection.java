package io.rwkvx.format;

import java.util.Set;

/**
 * Tells RWKV generations apart by tensor names, with rwkv.cpp's rules (formats.md §1.5), so that an
 * older model gets "this is RWKV-5.2" instead of a list of missing RWKV-7 tensors.
 */
final class ArchitectureDetection {
    private ArchitectureDetection() {}

    /** Throws unless the names look like RWKV-7; sets that match no generation are left to the layout check. */
    static void requireRwkv7(Set<String> names, String source) {
        if (names.contains("blocks.0.att.r_k")) return;
        String found;
        if (names.contains("blocks.0.att.time_maa_x")) {
            found = "RWKV-6 (tensor blocks.0.att.time_maa_x present)";
        } else if (names.contains("blocks.0.att.ln_x.weight")) {
            found = names.contains("blocks.0.att.gate.weight")
                    ? "RWKV-5.2 (tensor blocks.0.att.ln_x.weight present)"
                    : "RWKV-5.1 (tensor blocks.0.att.ln_x.weight present, no gate.weight)";
        } else if (names.contains("blocks.0.att.time_decay") || names.contains("blocks.0.att.time_first")) {
            found = "RWKV-4 (tensor blocks.0.att.time_decay present, no r_k, ln_x or time_maa_x)";
        } else {
            return;
        }
        throw new ModelFormatException(source + ": detected " + found + "; only RWKV-7 is supported so far");
    }
}
