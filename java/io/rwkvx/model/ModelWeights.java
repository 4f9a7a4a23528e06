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
 * @param config the geometry the tensors were validated against
 * @param tensors the tensors by canonical name, in the order given; copied into an unmodifiable map
 * @param source where the weights came from (file path), for messages
 */
public record ModelWeights(ModelConfig config, Map<String, Tensor> tensors, String source) {
    /**
     * Copies the map.
     *
     * @throws NullPointerException if a name or tensor is null
     */
    public ModelWeights {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) throw new NullPointerException(source + ": null tensor");
        }
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * Looks up a tensor that must exist.
     *
     * @param name a canonical name, e.g. {@code "blocks.0.att.key.weight"}
     * @return the tensor
     * @throws IllegalArgumentException if there is no tensor of that name; the message names the source
     */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException(source + ": no tensor '" + name + "'");
        return t;
    }

    /**
     * Whether an optional tensor is present.
     *
     * @param name a canonical name
     * @return true if the weights hold a tensor of that name
     */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }
}
