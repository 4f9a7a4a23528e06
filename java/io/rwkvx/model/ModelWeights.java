package io.rwkvx.model;

import io.rwkvx.tensor.Tensor;
import java.util.Map;

/**
 * A model's tensors under canonical names (see {@code rwkvx_model_create} in include/rwkvx.h), already
 * validated against {@link #config}. The tensors' memory belongs to the arena that read the file.
 *
 * @param source where the weights came from (file path), for messages
 */
public record ModelWeights(ModelConfig config, Map<String, Tensor> tensors, String source) {
    public ModelWeights {
        tensors = Map.copyOf(tensors);
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(source + ": no tensor '" + name + "'");
        return t;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }
}
