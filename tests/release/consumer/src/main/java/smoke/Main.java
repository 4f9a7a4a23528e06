package smoke;

import io.rwkvx.*;
import io.rwkvx.sampling.SamplerConfig;

/** Ten lines a user writes: load the bundled model, generate greedily, print what came out. */
public class Main {
    public static void main(String[] args) {
        var options = GenerationOptions.defaults().withMaxTokens(16).withSampler(SamplerConfig.greedy());
        try (Model model = Rwkvx.loadDefault();
                Session session = model.newSession()) {
            GenerationResult r = session.generate(args.length > 0 ? args[0] : "Hello", options, text -> {});
            System.out.println(Rwkvx.version() + " tokens=" + r.tokens().length + " stop=" + r.stopReason() + " text="
                    + java.util.HexFormat.of().formatHex(r.text().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }
}
