package io.rwkvx.model;

import io.rwkvx.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's tensors under canonical names (see {@code rwkvx_model_create} in include/rwkvx.h), already
 * validated against {@link #config}. The tensors' memory belongs to the arena that read the file. The map
 * keeps the order it was given (a reader's is the file's), so a writer can keep a file's tensor order.
 *
 * @param source where the weights came from (file path), for messages
 */
public record ModelWeights(ModelConfig config, Map<String, Tensor> tensors, String source) {
    public ModelWeights {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) throw new NullPointerException(source + ": null tensor");
        }
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
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
