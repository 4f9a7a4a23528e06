package io.rwkvx.cli;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.format.HybridExpansion;
import io.rwkvx.format.ModelFiles;
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
    private static final Option MODEL =
            Option.value("--model", "PATH", "RWKV-7 model file").asRequired();
    private static final Option ATTN_LAYERS = Option.value(
                    "--attn-layers", "N", "attention blocks to insert; must divide the layer count")
            .asRequired();
    private static final Option OUT = Option.value("--out", "FILE", "the RWKV-X safetensors file to write")
            .asRequired();
    private static final Option SEED =
            Option.value("--seed", "S", "seed of the random q/k/v and FFN key initialisation (default 0)");

    @Override
    public String name() {
        return "expand";
    }

    @Override
    public String summary() {
        return "turn an RWKV-7 model into an RWKV-X one (zero-initialised attention blocks)";
    }

    @Override
    public String description() {
        return """
                Builds an RWKV-X model from an RWKV-7 one (block expansion, docs/rwkv-x.md §9): after
                every R/N RWKV-7 layers an attention block whose output projections are zero, so the
                new model computes the same logits. q, k, v and the FFN key start small and random.
                Writes safetensors in the RWKV-X checkpoint layout (rwkv.* and moba.j.*).
                """;
    }

    @Override
    public OptionSpec options() {
        return OptionSpec.of(MODEL, ATTN_LAYERS, OUT, SEED);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        Path in = o.requirePath(MODEL.name());
        int attnLayers = o.intValue(ATTN_LAYERS.name(), 0, 1);
        Path out = o.requirePath(OUT.name());
        Long seedOption = o.longValue(SEED.name());
        long seed = seedOption == null ? 0 : seedOption;

        // Writing over the input would truncate the file that is mapped for reading.
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out))
            throw new RwkvxException(out + ": the output would overwrite the input model");
        ModelConfig c;
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w7 = ModelFiles.read(in, arena);
            if (w7.config().arch() != Architecture.RWKV7)
                throw new RwkvxException(in + ": expand needs an RWKV-7 model, found "
                        + w7.config().arch().displayName);
            ModelWeights wx = HybridExpansion.expand(w7, attnLayers, seed, arena);
            c = wx.config();
            HybridExpansion.writeCheckpoint(wx, out, arena);
        }
        io.out()
                .println("wrote " + out + ": RWKV-X, " + c.nLayer() + " RWKV-7 layers + " + c.nAttnLayer()
                        + " attention layers (one after every " + c.nLayer() / c.nAttnLayer() + ")");
        return 0;
    }
}
