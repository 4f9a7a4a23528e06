package io.rwkvx.cli;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.format.HybridExpansion;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code rwkvx expand}: builds an RWKV-X model from an RWKV-7 one by inserting zero-initialised attention
 * blocks ({@link HybridExpansion}) and writes it as safetensors. The result computes the same logits.
 */
final class ExpandCommand implements Command {
    @Override
    public String name() {
        return "expand";
    }

    @Override
    public OptionSpec options() {
        return new OptionSpec().value("--model", "--attn-layers", "--out", "--seed");
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        Path in = o.requirePath("--model");
        o.require("--attn-layers");
        int attnLayers = o.intValue("--attn-layers", 0, 1);
        Path out = o.requirePath("--out");
        Long seedOption = o.longValue("--seed");
        long seed = seedOption == null ? 0 : seedOption;

        // Writing over the input would truncate the file that is mapped for reading.
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out))
            throw new RwkvxException(out + ": the output would overwrite the input model");
        ModelConfig c;
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w7 = ModelFiles.read(in, arena);
            if (w7.config().arch() != Architecture.RWKV7)
                throw new RwkvxException(in + ": expand needs an RWKV-7 model, found " + w7.config().arch().displayName);
            ModelWeights wx = HybridExpansion.expand(w7, attnLayers, seed, arena);
            c = wx.config();
            HybridExpansion.writeCheckpoint(wx, out, arena);
        }
        io.out().println("wrote " + out + ": RWKV-X, " + c.nLayer() + " RWKV-7 layers + " + c.nAttnLayer()
                + " attention layers (one after every " + c.nLayer() / c.nAttnLayer() + ")");
        return 0;
    }
}
