package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.Objects;

/**
 * LangChain4j's common chat parameters plus the sampler settings of rwkvx that LangChain4j has no name for: a
 * seed, min-p and the repetition penalty (see {@link io.rwkvx.sampling.SamplerConfig}). Any field left null
 * keeps the model's default; merging ({@link #overrideWith}) keeps these fields, whichever side holds them.
 */
public class RwkvxChatRequestParameters extends DefaultChatRequestParameters {
    private final Long seed;
    private final Double minP;
    private final Double repetitionPenalty;

    private RwkvxChatRequestParameters(Builder builder) {
        super(builder);
        this.seed = builder.seed;
        this.minP = builder.minP;
        this.repetitionPenalty = builder.repetitionPenalty;
    }

    /**
     * The sampler's seed: equal seeds give equal replies to equal requests; null draws a new one per request.
     *
     * @return the seed, or null
     */
    public Long seed() {
        return seed;
    }

    /**
     * Min-p: drop tokens whose probability is below this fraction of the largest one; in [0, 1), 0 is off.
     *
     * @return min-p, or null
     */
    public Double minP() {
        return minP;
    }

    /**
     * The repetition penalty (llama.cpp / CTRL style) over the reply's tokens; above 0, 1 is off.
     *
     * @return the penalty, or null
     */
    public Double repetitionPenalty() {
        return repetitionPenalty;
    }

    /**
     * These parameters with every field {@code that} sets replaced by its value.
     *
     * @param that the parameters that win; rwkvx's own fields are taken from it only when it is of this class
     * @return the merged parameters
     */
    @Override
    public RwkvxChatRequestParameters overrideWith(ChatRequestParameters that) {
        return builder().overrideWith(this).overrideWith(that).build();
    }

    /**
     * {@code that} with every field these parameters set replaced by their value.
     *
     * @param that the defaults
     * @return the merged parameters
     */
    @Override
    public RwkvxChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RwkvxChatRequestParameters that
                && super.equals(o)
                && Objects.equals(seed, that.seed)
                && Objects.equals(minP, that.minP)
                && Objects.equals(repetitionPenalty, that.repetitionPenalty);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), seed, minP, repetitionPenalty);
    }

    @Override
    public String toString() {
        return "RwkvxChatRequestParameters{" + super.toString() + ", seed=" + seed + ", minP=" + minP
                + ", repetitionPenalty=" + repetitionPenalty + '}';
    }

    /**
     * A builder with every field unset.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link RwkvxChatRequestParameters}: LangChain4j's common fields plus rwkvx's. */
    public static class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private Long seed;
        private Double minP;
        private Double repetitionPenalty;

        /** A builder with every field unset; {@link RwkvxChatRequestParameters#builder()} makes one. */
        public Builder() {}

        /**
         * Takes every field {@code parameters} sets (rwkvx's own when it is a {@link RwkvxChatRequestParameters}).
         *
         * @param parameters the parameters to copy from
         * @return this builder
         */
        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof RwkvxChatRequestParameters p) {
                if (p.seed != null) seed = p.seed;
                if (p.minP != null) minP = p.minP;
                if (p.repetitionPenalty != null) repetitionPenalty = p.repetitionPenalty;
            }
            return this;
        }

        /**
         * Sets the seed.
         *
         * @param seed see {@link RwkvxChatRequestParameters#seed()}
         * @return this builder
         */
        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets min-p.
         *
         * @param minP see {@link RwkvxChatRequestParameters#minP()}
         * @return this builder
         */
        public Builder minP(Double minP) {
            this.minP = minP;
            return this;
        }

        /**
         * Sets the repetition penalty.
         *
         * @param repetitionPenalty see {@link RwkvxChatRequestParameters#repetitionPenalty()}
         * @return this builder
         */
        public Builder repetitionPenalty(Double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        /**
         * The parameters.
         *
         * @return new parameters with this builder's fields
         */
        @Override
        public RwkvxChatRequestParameters build() {
            return new RwkvxChatRequestParameters(this);
        }
    }
}
