package io.rwkvx.sampling;

import java.util.List;
import java.util.Objects;

/**
 * Watches streamed text for stop strings. Each {@link #feed} returns the text that can be shown
 * now: everything except the longest tail that might still grow into a stop string, which is
 * held back until the next piece decides it. When a stop string appears, the text before it is
 * released and the stream is over. Not thread-safe.
 */
public final class StopStrings {
    /**
     * What a {@link #feed} produced.
     *
     * @param text    text safe to emit now (when stopped: everything up to, not including, the stop string)
     * @param stopped whether a stop string was found; no more text should be fed
     */
    public record Result(String text, boolean stopped) {
        /**
         * Checks the result.
         *
         * @throws NullPointerException if {@code text} is null
         */
        public Result {
            Objects.requireNonNull(text, "text");
        }
    }

    private final List<String> stops;
    private final int longestStop;
    private final StringBuilder heldBack = new StringBuilder();
    private boolean stopped;

    /**
     * A watcher at the start of a stream.
     *
     * @param stops strings that end the stream; may be empty, but no stop may be the empty string
     * @throws IllegalArgumentException if a stop string is empty
     */
    public StopStrings(List<String> stops) {
        this.stops = List.copyOf(Objects.requireNonNull(stops, "stops"));
        int longest = 0;
        for (String stop : this.stops) {
            if (stop.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
            longest = Math.max(longest, stop.length());
        }
        this.longestStop = longest;
    }

    /**
     * Adds the next piece of streamed text.
     *
     * @param piece the next decoded text, possibly empty
     * @return the text that can be shown now, and whether the stream stopped
     * @throws IllegalStateException if a stop string was already found
     */
    public Result feed(String piece) {
        Objects.requireNonNull(piece, "piece");
        if (stopped) {
            throw new IllegalStateException("a stop string was already found; the stream is over");
        }
        heldBack.append(piece);
        String text = heldBack.toString();

        int stopAt = earliestStop(text);
        if (stopAt >= 0) {
            stopped = true;
            heldBack.setLength(0);
            return new Result(text.substring(0, stopAt), true);
        }

        int hold = longestTailThatStartsAStop(text);
        heldBack.delete(0, text.length() - hold);
        return new Result(text.substring(0, text.length() - hold), false);
    }

    /**
     * Ends the stream.
     *
     * @return the held-back text, which no stop string followed (empty after a stop); it is cleared
     */
    public String flush() {
        String rest = heldBack.toString();
        heldBack.setLength(0);
        return rest;
    }

    /**
     * Whether the stream is over.
     *
     * @return true once a stop string has been found
     */
    public boolean stopped() {
        return stopped;
    }

    private int earliestStop(String text) {
        int earliest = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of some stop string. */
    private int longestTailThatStartsAStop(String text) {
        // A full stop string would already have been found, so only shorter tails matter.
        for (int length = Math.min(text.length(), longestStop - 1); length > 0; length--) {
            int start = text.length() - length;
            for (String stop : stops) {
                if (stop.length() > length && stop.regionMatches(0, text, start, length)) {
                    return length;
                }
            }
        }
        return 0;
    }
}
