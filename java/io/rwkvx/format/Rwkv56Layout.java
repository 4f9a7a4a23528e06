package io.rwkvx.format;

import static io.rwkvx.format.LayoutChecks.checkNames;
import static io.rwkvx.format.LayoutChecks.checkNamesMatchKeys;
import static io.rwkvx.format.LayoutChecks.countLayers;
import static io.rwkvx.format.LayoutChecks.f32;
import static io.rwkvx.format.LayoutChecks.fail;
import static io.rwkvx.format.LayoutChecks.matrix;
import static io.rwkvx.format.LayoutChecks.outerSizes;
import static io.rwkvx.format.LayoutChecks.shape;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the RWKV-5.2 and RWKV-6 canonical tensor sets share: name lists per generation, validation and the
 * rwkv.cpp canonicalisation. {@link Rwkv5Layout} and {@link Rwkv6Layout} are the public faces.
 */
final class Rwkv56Layout {
    /** [H, N] tensors: H = n_head is read from time_faaaa's first dimension. */
    static final List<String> HEAD_TENSORS = List.of("att.time_decay", "att.time_faaaa");

    static final List<String> SQUARE = List.of(
            "att.key.weight",
            "att.value.weight",
            "att.receptance.weight",
            "att.gate.weight",
            "att.output.weight",
            "ffn.receptance.weight");
    static final List<String> GLOBAL_VECTORS =
            List.of("blocks.0.ln0.weight", "blocks.0.ln0.bias", "ln_out.weight", "ln_out.bias");
    static final List<String> V5_VECTORS = List.of(
            "ln1.weight",
            "ln1.bias",
            "ln2.weight",
            "ln2.bias",
            "att.time_mix_k",
            "att.time_mix_v",
            "att.time_mix_r",
            "att.time_mix_g",
            "att.ln_x.weight",
            "att.ln_x.bias",
            "ffn.time_mix_k",
            "ffn.time_mix_r");
    static final List<String> V6_VECTORS = List.of(
            "ln1.weight",
            "ln1.bias",
            "ln2.weight",
            "ln2.bias",
            "att.time_maa_x",
            "att.time_maa_w",
            "att.time_maa_k",
            "att.time_maa_v",
            "att.time_maa_r",
            "att.time_maa_g",
            "att.ln_x.weight",
            "att.ln_x.bias",
            "ffn.time_maa_k",
            "ffn.time_maa_r");
    static final List<String> V6_LORA =
            List.of("att.time_maa_w1", "att.time_maa_w2", "att.time_decay_w1", "att.time_decay_w2");

    private Rwkv56Layout() {}

    static List<String> layerVectors(Architecture arch) {
        return arch == Architecture.RWKV6 ? V6_VECTORS : V5_VECTORS;
    }

    /** Whether {@code name} is a vector or an [H, N] decay / bonus: F32 in every canonical set. */
    static boolean isFloatParameter(Architecture arch, String name) {
        String local = Rwkv7Layout.localName(name);
        return GLOBAL_VECTORS.contains(name)
                || (local != null && (layerVectors(arch).contains(local) || HEAD_TENSORS.contains(local)));
    }

    static List<String> tensorNames(Architecture arch, int nLayer) {
        List<String> out = new ArrayList<>(List.of("emb.weight", "blocks.0.ln0.weight", "blocks.0.ln0.bias"));
        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            for (String v : layerVectors(arch)) out.add(p + v);
            for (String h : HEAD_TENSORS) out.add(p + h);
            if (arch == Architecture.RWKV6) for (String l : V6_LORA) out.add(p + l);
            for (String s : SQUARE) out.add(p + s);
            out.add(p + "ffn.key.weight");
            out.add(p + "ffn.value.weight");
        }
        out.addAll(List.of("ln_out.weight", "ln_out.bias", "head.weight"));
        return out;
    }

    /**
     * rwkv.cpp's files are canonical up to shape: [1,1,C]-style vectors become [C], and the [H, N, 1]
     * time_decay / time_faaaa become [H, N]. Decays stay as stored (v5.2: exp(-exp(d)); v6: raw d).
     */
    static Map<String, Tensor> canonicaliseRwkvCpp(Architecture arch, Map<String, Tensor> raw, Arena arena) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> vectors = layerVectors(arch);
        for (Tensor t : raw.values()) {
            String local = Rwkv7Layout.localName(t.name());
            Tensor c = t;
            if (local != null && HEAD_TENSORS.contains(local)) {
                long[] s = t.shape();
                if (s.length == 3 && s[2] == 1) c = TensorCopies.asF32(t.reshape(s[0], s[1]), arena);
            } else if (GLOBAL_VECTORS.contains(t.name()) || (local != null && vectors.contains(local))) {
                c = TensorCopies.asF32(Rwkv7Layout.squeezeLeadingOnes(t), arena);
            }
            out.put(t.name(), c);
        }
        return out;
    }

    /**
     * BlinkDL's RWKV-5.2/6 checkpoints (safetensors or torch.save state dicts) to the canonical set: the
     * inverse of what rwkv.cpp's converter does on the way to its files (docs/formats.md §1.6, §2.5). Vectors
     * ((1,1,C)) become [C] F32; time_faaaa (H,N) stays; RWKV-5.2's time_decay (H,N) is the raw d and becomes
     * the multiplier exp(-exp(d)); RWKV-6's time_decay (1,1,C) stays raw, as [H,N]; RWKV-6's LoRA, stored
     * for x @ w1 @ w2, is transposed: time_maa_w1 (C,5D), time_decay_w1 (C,Dw), time_decay_w2 (Dw,C) and
     * time_maa_w2 (5,D,C) become [5D,C], [Dw,C], [C,Dw] and [5,C,D]. Matrices stay views of the file.
     */
    static Map<String, Tensor> canonicaliseBlinkDl(
            Architecture arch, Map<String, Tensor> named, String source, Arena arena) {
        Tensor u0 = named.get("blocks.0.att.time_faaaa");
        long nHead = u0 != null && u0.rank() == 2 ? u0.dim(0) : -1, headSize = nHead > 0 ? u0.dim(1) : -1;
        List<String> vectors = layerVectors(arch);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Tensor t : named.values()) {
            String name = t.name();
            String local = Rwkv7Layout.localName(name);
            Tensor c = t;
            if ("att.time_decay".equals(local)) {
                c = arch == Architecture.RWKV6
                        ? headShaped(TensorCopies.asF32(t, arena), nHead, headSize, source)
                        : decayMultiplier(t, arena);
            } else if ("att.time_faaaa".equals(local)) {
                c = TensorCopies.asF32(t, arena);
            } else if (GLOBAL_VECTORS.contains(name) || (local != null && vectors.contains(local))) {
                c = TensorCopies.asF32(Rwkv7Layout.squeezeLeadingOnes(t), arena);
            } else if (local != null && V6_LORA.contains(local)) {
                int rank = local.equals("att.time_maa_w2") ? 3 : 2;
                if (t.rank() != rank) {
                    throw fail(
                            source,
                            t,
                            "expected " + rank + " dimensions (BlinkDL checkpoint layout "
                                    + (rank == 3 ? "(5, D, C)" : local.endsWith("w1") ? "(C, D)" : "(D, C)")
                                    + "), found "
                                    + shape(t));
                }
                c = TensorCopies.transposeLastTwo(t, arena);
            }
            out.put(name, c);
        }
        return out;
    }

    /** RWKV-5.2's raw decay d to the multiplier exp(-exp(d)) the recurrence uses, F32, same shape. */
    private static Tensor decayMultiplier(Tensor raw, Arena arena) {
        long n = raw.numel();
        float[] w = new float[(int) n];
        for (int i = 0; i < n; i++) w[i] = (float) Math.exp(-Math.exp(raw.getFloat(i)));
        return Tensor.ofFloats(arena, raw.name(), w, raw.shape());
    }

    /** A C-element tensor as [n_head, head_size] (the head geometry comes from time_faaaa). */
    private static Tensor headShaped(Tensor t, long nHead, long headSize, String source) {
        if (nHead <= 0 || t.numel() != nHead * headSize) return t; // validate() names what is wrong
        return t.reshape(nHead, headSize);
    }

    static ModelWeights validate(Architecture arch, Map<String, Tensor> tensors, String source) {
        String archName = arch.displayName;
        checkNamesMatchKeys(tensors, source);
        int nLayer = countLayers(tensors.keySet(), source, archName);
        checkNames(tensors, tensorNames(arch, nLayer), source, archName);

        LayoutChecks.OuterSizes sizes = outerSizes(tensors, GLOBAL_VECTORS, source);
        int nVocab = sizes.nVocab(), nEmbd = sizes.nEmbd(), ffnSize = sizes.ffnSize();
        Tensor u0 = tensors.get("blocks.0.att.time_faaaa");
        if (u0.rank() != 2 || u0.dim(0) <= 0 || u0.dim(0) * u0.dim(1) != nEmbd) {
            throw fail(
                    source,
                    u0,
                    "expected shape [n_head, head_size] with n_head * head_size = " + nEmbd + ", found " + shape(u0));
        }
        int nHead = (int) u0.dim(0), headSize = (int) u0.dim(1);
        long d = 0, dw = 0;
        if (arch == Architecture.RWKV6) {
            Tensor w1 = tensors.get("blocks.0.att.time_maa_w1");
            Tensor d1 = tensors.get("blocks.0.att.time_decay_w1");
            if (w1.rank() != 2 || w1.dim(0) <= 0 || w1.dim(0) % 5 != 0) {
                throw fail(source, w1, "expected shape [5*D, " + nEmbd + "], found " + shape(w1));
            }
            if (d1.rank() != 2 || d1.dim(0) <= 0)
                throw fail(source, d1, "expected shape [Dw, " + nEmbd + "], found " + shape(d1));
            d = w1.dim(0) / 5;
            dw = d1.dim(0);
        }

        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            for (String v : layerVectors(arch)) f32(tensors, p + v, source, nEmbd);
            for (String h : HEAD_TENSORS) f32(tensors, p + h, source, nHead, headSize);
            for (String s : SQUARE) matrix(tensors, p + s, source, nEmbd, nEmbd);
            matrix(tensors, p + "ffn.key.weight", source, ffnSize, nEmbd);
            matrix(tensors, p + "ffn.value.weight", source, nEmbd, ffnSize);
            if (arch == Architecture.RWKV6) {
                matrix(tensors, p + "att.time_maa_w1", source, 5 * d, nEmbd);
                matrix(tensors, p + "att.time_maa_w2", source, 5, nEmbd, d);
                matrix(tensors, p + "att.time_decay_w1", source, dw, nEmbd);
                matrix(tensors, p + "att.time_decay_w2", source, nEmbd, dw);
                checkFinite(tensors.get(p + "att.time_decay"), source);
            } else {
                checkMultiplier(tensors.get(p + "att.time_decay"), source);
            }
        }
        ModelConfig config = new ModelConfig(arch, nLayer, nEmbd, nHead, headSize, nVocab, ffnSize);
        return new ModelWeights(config, tensors, source);
    }

    private static void checkMultiplier(Tensor t, String source) {
        for (long i = 0; i < t.numel(); i++) {
            float w = t.getFloat(i);
            if (!(w > 0 && w <= 1)) {
                throw fail(
                        source,
                        t,
                        "element " + i + " is " + w + "; expected the decay multiplier exp(-exp(d)) in "
                                + "(0, 1], as rwkv.cpp stores it");
            }
        }
    }

    private static void checkFinite(Tensor t, String source) {
        for (long i = 0; i < t.numel(); i++) {
            if (!Float.isFinite(t.getFloat(i))) throw fail(source, t, "element " + i + " is not finite");
        }
    }
}
