package io.rwkvx.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void stopInsideOnePieceCutsBeforeIt() {
        StopStrings stops = new StopStrings(List.of("STOP"));
        assertEquals(new StopStrings.Result("hello ", true), stops.feed("hello STOP world"));
        assertTrue(stops.stopped());
        assertEquals("", stops.flush());
    }

    @Test
    void stopSplitAcrossPiecesIsHeldBackThenCut() {
        StopStrings stops = new StopStrings(List.of("STOP"));
        assertEquals(new StopStrings.Result("hel", false), stops.feed("hel"));
        assertEquals(new StopStrings.Result("lo ", false), stops.feed("lo ST"));
        assertEquals(new StopStrings.Result("", false), stops.feed("O"));
        assertEquals(new StopStrings.Result("", true), stops.feed("P and more"));
    }

    @Test
    void heldBackTextIsReleasedWhenTheStopDoesNotMaterialise() {
        StopStrings stops = new StopStrings(List.of("STOP"));
        assertEquals(new StopStrings.Result("a ", false), stops.feed("a ST"));
        assertEquals(new StopStrings.Result("STAR", false), stops.feed("AR"));
        assertEquals("", stops.flush());
    }

    @Test
    void overlappingPrefixesFindTheStopAtTheFirstPossibleMoment() {
        StopStrings stops = new StopStrings(List.of("abab"));
        assertEquals(new StopStrings.Result("", false), stops.feed("a"));
        assertEquals(new StopStrings.Result("", false), stops.feed("b"));
        assertEquals(new StopStrings.Result("", false), stops.feed("a"));
        assertEquals(new StopStrings.Result("", true), stops.feed("b"));
    }

    @Test
    void overlappingPrefixesKeepOnlyTheLongestLiveTail() {
        StopStrings stops = new StopStrings(List.of("abab"));
        assertEquals(new StopStrings.Result("", false), stops.feed("aba"));
        // "abaa": only the final "a" can still start "abab".
        assertEquals(new StopStrings.Result("aba", false), stops.feed("a"));
        assertEquals(new StopStrings.Result("", false), stops.feed("ba"));
        assertEquals(new StopStrings.Result("", true), stops.feed("bab"));
    }

    @Test
    void abababStopsAfterTheFirstFourCharacters() {
        StopStrings stops = new StopStrings(List.of("abab"));
        assertEquals(new StopStrings.Result("", true), stops.feed("ababab"));
        assertThrows(IllegalStateException.class, () -> stops.feed("x"));
    }

    @Test
    void withoutAStopEverythingComesOutAfterFlush() {
        StopStrings stops = new StopStrings(List.of("</s>", "User:"));
        StringBuilder emitted = new StringBuilder();
        for (String piece : new String[] {"Hello", " there <", "/b> Use", "r"}) {
            StopStrings.Result result = stops.feed(piece);
            assertFalse(result.stopped());
            emitted.append(result.text());
        }
        // "User" could still become "User:", so it stays held back until the flush.
        assertEquals("Hello there </b> ", emitted.toString());
        emitted.append(stops.flush());
        assertEquals("Hello there </b> User", emitted.toString());
        assertEquals("", stops.flush());
    }

    @Test
    void earliestOfSeveralStopsWins() {
        StopStrings stops = new StopStrings(List.of("world", "lo w"));
        assertEquals(new StopStrings.Result("hel", true), stops.feed("hello world"));
    }

    @Test
    void noStopStringsPassesEverythingThrough() {
        StopStrings stops = new StopStrings(List.of());
        assertEquals(new StopStrings.Result("anything", false), stops.feed("anything"));
        assertEquals("", stops.flush());
    }

    @Test
    void rejectsEmptyStopStrings() {
        assertThrows(IllegalArgumentException.class, () -> new StopStrings(List.of("ok", "")));
        assertThrows(NullPointerException.class, () -> new StopStrings(null));
    }

    @Test
    void randomStreamsMatchTheReference() {
        Random random = new Random(31);
        List<String> stopList = List.of("abab", "bca", "cc", "abcab");
        for (int round = 0; round < 2000; round++) {
            StringBuilder input = new StringBuilder();
            int length = random.nextInt(30);
            for (int i = 0; i < length; i++) {
                input.append("abc".charAt(random.nextInt(3)));
            }
            StopStrings stops = new StopStrings(stopList);
            StringBuilder emitted = new StringBuilder();
            StringBuilder consumed = new StringBuilder();
            boolean stopped = false;
            for (String piece : randomSplit(input.toString(), random)) {
                consumed.append(piece);
                StopStrings.Result result = stops.feed(piece);
                emitted.append(result.text());
                int stopAt = referenceEarliestStop(consumed.toString(), stopList);
                if (stopAt >= 0) {
                    assertTrue(result.stopped());
                    assertEquals(consumed.substring(0, stopAt), emitted.toString());
                    stopped = true;
                    break;
                }
                assertFalse(result.stopped());
                // Held back must be exactly the longest tail that could still become a stop.
                int hold = referenceLongestLiveTail(consumed.toString(), stopList);
                assertEquals(
                        consumed.substring(0, consumed.length() - hold),
                        emitted.toString(),
                        "input " + input + " after " + consumed);
            }
            if (!stopped) {
                emitted.append(stops.flush());
                assertEquals(input.toString(), emitted.toString());
            }
        }
    }

    private static int referenceEarliestStop(String text, List<String> stopList) {
        for (int start = 0; start < text.length(); start++) {
            for (String stop : stopList) {
                if (text.startsWith(stop, start)) {
                    return start;
                }
            }
        }
        return -1;
    }

    private static int referenceLongestLiveTail(String text, List<String> stopList) {
        int best = 0;
        for (String stop : stopList) {
            for (int length = 1; length < stop.length() && length <= text.length(); length++) {
                if (text.endsWith(stop.substring(0, length))) {
                    best = Math.max(best, length);
                }
            }
        }
        return best;
    }

    private static List<String> randomSplit(String text, Random random) {
        List<String> pieces = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int next = Math.min(text.length(), at + random.nextInt(5)); // empty pieces included on purpose
            pieces.add(text.substring(at, next));
            at = next;
        }
        if (pieces.isEmpty()) {
            pieces.addAll(Arrays.asList("", ""));
        }
        return pieces;
    }
}
