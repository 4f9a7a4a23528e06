package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import java.util.Set;

/**
 * Tells RWKV generations apart by tensor names, with rwkv.cpp's rules (docs/formats.md §1.5), so that an
 * unsupported model gets "this is RWKV-5.2" instead of a list of missing tensors.
 */
final class ArchitectureDetection {
    private ArchitectureDetection() {}

    /**
     * RWKV-7 ({@code blocks.0.att.r_k}), RWKV-6 ({@code time_maa_x}), RWKV-5.2 ({@code ln_x} and
     * {@code gate}) or RWKV-4 (time_decay/time_first without those markers); names that match no
     * generation count as RWKV-7 and are left to its layout check.
     *
     * @throws ModelFormatException for RWKV-5.1 (ln_x without gate), naming the tensor that shows it
     */
    static Architecture detect(Set<String> names, String source) {
        if (names.contains("blocks.0.att.r_k")) return Architecture.RWKV7;
        if (names.contains("blocks.0.att.time_maa_x")) return Architecture.RWKV6;
        if (names.contains("blocks.0.att.ln_x.weight")) {
            if (names.contains("blocks.0.att.gate.weight")) return Architecture.RWKV5;
            throw new ModelFormatException(source + ": detected RWKV-5.1 (tensor blocks.0.att.ln_x.weight present, no "
                    + "gate.weight); RWKV-5.1 is not supported (RWKV-4, 5.2, 6 and 7 are)");
        }
        if (names.contains("blocks.0.att.time_decay") || names.contains("blocks.0.att.time_first")) {
            return Architecture.RWKV4;
        }
        return Architecture.RWKV7;
    }
}
