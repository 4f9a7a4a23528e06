package io.rwkvx.bench.jmh;

import io.rwkvx.sampling.Sampler;
import io.rwkvx.sampling.SamplerConfig;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sampler's cost per token at a vocabulary of 65,536: {@code Sampler.sample} and {@code accept} of the token,
 * as generation runs them, on one fixed row of logits (seeded normal values, standard deviation 3) after a
 * history of 256 seeded tokens.
 * <ul>
 *   <li>{@code greedy}: temperature 0, the argmax;</li>
 *   <li>{@code temperature}: temperature 0.8 and nothing else (softmax over the whole vocabulary);</li>
 *   <li>{@code topP}: temperature 0.8, top-p 0.9;</li>
 *   <li>{@code full}: temperature 0.8, top-k 50, top-p 0.9, repetition 1.1, presence 0.2 and frequency 0.1
 *       penalties over a window of 256 tokens.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class SamplerBenchmark {
    static final int VOCAB = 65_536;

    @Param({"greedy", "temperature", "topP", "full"})
    public String chain;

    private Sampler sampler;
    private float[] logits;

    @Setup
    public void setUp() {
        SamplerConfig base = SamplerConfig.defaults().withSeed(42);
        SamplerConfig config = switch (chain) {
            case "greedy" -> SamplerConfig.greedy();
            case "temperature" -> base.withTemperature(0.8);
            case "topP" -> base.withTemperature(0.8).withTopP(0.9);
            case "full" ->
                base.withTemperature(0.8)
                        .withTopK(50)
                        .withTopP(0.9)
                        .withRepetitionPenalty(1.1)
                        .withPresencePenalty(0.2)
                        .withFrequencyPenalty(0.1)
                        .withPenaltyWindow(256);
            default -> throw new IllegalArgumentException("chain " + chain + ": greedy, temperature, topP or full");
        };
        sampler = new Sampler(config, VOCAB);
        SplittableRandom random = new SplittableRandom(3);
        logits = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) logits[i] = (float) (3 * random.nextGaussian());
        for (int i = 0; i < 256; i++) sampler.accept(random.nextInt(VOCAB));
    }

    @Benchmark
    public int sampleAndAccept() {
        int token = sampler.sample(logits);
        sampler.accept(token);
        return token;
    }
}
