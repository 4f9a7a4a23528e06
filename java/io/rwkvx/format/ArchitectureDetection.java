package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import java.util.Set;

/**
 * Tells RWKV generations apart by tensor names, with rwkv.cpp's rules (formats.md §1.5), so that an
 * unsupported model gets "this is RWKV-5.2" instead of a list of missing tensors.
 */
final class ArchitectureDetection {
    private ArchitectureDetection() {}

    /**
     * RWKV-7 ({@code blocks.0.att.r_k}) or RWKV-4 (time_decay/time_first without the markers of 5/6);
     * names that match no generation count as RWKV-7 and are left to its layout check.
     *
     * @throws ModelFormatException for RWKV-5 and RWKV-6, naming the generation and the tensor that shows it
     */
    static Architecture detect(Set<String> names, String source) {
        if (names.contains("blocks.0.att.r_k")) return Architecture.RWKV7;
        String found;
        if (names.contains("blocks.0.att.time_maa_x")) {
            found = "RWKV-6 (tensor blocks.0.att.time_maa_x present)";
        } else if (names.contains("blocks.0.att.ln_x.weight")) {
            found = names.contains("blocks.0.att.gate.weight")
                    ? "RWKV-5.2 (tensor blocks.0.att.ln_x.weight present)"
                    : "RWKV-5.1 (tensor blocks.0.att.ln_x.weight present, no gate.weight)";
        } else if (names.contains("blocks.0.att.time_decay") || names.contains("blocks.0.att.time_first")) {
            return Architecture.RWKV4;
        } else {
            return Architecture.RWKV7;
        }
        throw new ModelFormatException(source + ": detected " + found + "; only RWKV-4 and RWKV-7 are supported so far");
    }
}
