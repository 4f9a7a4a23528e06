package io.rwkvx.backend.reference;

import static io.rwkvx.backend.reference.StepwiseExecutor.f;

import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;

/**
 * An RWKV-7 model's weights widened once into float arrays (exact for F32/F16/BF16; quantized blocks are
 * decoded in Java to the float32 values they stand for, see {@link io.rwkvx.tensor.QuantizedBlocks}), so the
 * forward pass indexes plain arrays instead of reading memory segments. Matrices are row-major (out, in).
 */
final class Rwkv7Params {
    /** One layer's tensors; {@code v0, v1, v2} are null in layer 0. */
    record Layer(
            float[] ln1w,
            float[] ln1b,
            float[] ln2w,
            float[] ln2b,
            float[] xr,
            float[] xw,
            float[] xk,
            float[] xv,
            float[] xa,
            float[] xg,
            float[] w0,
            float[] w1,
            float[] w2,
            float[] a0,
            float[] a1,
            float[] a2,
            float[] v0,
            float[] v1,
            float[] v2,
            float[] g1,
            float[] g2,
            float[] kk,
            float[] ka,
            float[] rk,
            float[] wr,
            float[] wk,
            float[] wv,
            float[] wo,
            float[] lnxw,
            float[] lnxb,
            float[] ffnXk,
            float[] ffnKey,
            float[] ffnValue,
            int dw,
            int da,
            int dv,
            int dg) {}

    final ModelConfig config;
    final float[] emb;
    final float[] ln0w, ln0b;
    final Layer[] layers;
    final float[] lnOutW, lnOutB;
    final float[] head;

    Rwkv7Params(ModelWeights w) {
        config = w.config();
        emb = f(w, "emb.weight");
        ln0w = f(w, "blocks.0.ln0.weight");
        ln0b = f(w, "blocks.0.ln0.bias");
        lnOutW = f(w, "ln_out.weight");
        lnOutB = f(w, "ln_out.bias");
        head = f(w, "head.weight");
        layers = new Layer[config.nLayer()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blocks." + i + ".";
            boolean vres = i > 0;
            layers[i] = new Layer(
                    f(w, p + "ln1.weight"),
                    f(w, p + "ln1.bias"),
                    f(w, p + "ln2.weight"),
                    f(w, p + "ln2.bias"),
                    f(w, p + "att.x_r"),
                    f(w, p + "att.x_w"),
                    f(w, p + "att.x_k"),
                    f(w, p + "att.x_v"),
                    f(w, p + "att.x_a"),
                    f(w, p + "att.x_g"),
                    f(w, p + "att.w0"),
                    f(w, p + "att.w1"),
                    f(w, p + "att.w2"),
                    f(w, p + "att.a0"),
                    f(w, p + "att.a1"),
                    f(w, p + "att.a2"),
                    vres ? f(w, p + "att.v0") : null,
                    vres ? f(w, p + "att.v1") : null,
                    vres ? f(w, p + "att.v2") : null,
                    f(w, p + "att.g1"),
                    f(w, p + "att.g2"),
                    f(w, p + "att.k_k"),
                    f(w, p + "att.k_a"),
                    f(w, p + "att.r_k"),
                    f(w, p + "att.receptance.weight"),
                    f(w, p + "att.key.weight"),
                    f(w, p + "att.value.weight"),
                    f(w, p + "att.output.weight"),
                    f(w, p + "att.ln_x.weight"),
                    f(w, p + "att.ln_x.bias"),
                    f(w, p + "ffn.x_k"),
                    f(w, p + "ffn.key.weight"),
                    f(w, p + "ffn.value.weight"),
                    rank(w, p + "att.w1"),
                    rank(w, p + "att.a1"),
                    vres ? rank(w, p + "att.v1") : 0,
                    rank(w, p + "att.g1"));
        }
    }

    /** LoRA rank D of a down-projection [D, C]. */
    private static int rank(ModelWeights w, String name) {
        return (int) w.get(name).dim(0);
    }
}
