package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code generate} with the bundled default model. */
class GenerateCommandTest {
    @Test
    void sameSeedSameTextAndMaxTokensRespected() {
        String[] args = {"generate", "--prompt", "Hello", "--max-tokens", "20", "--seed", "1", "--threads", "2"};
        Cli a = Cli.run(args);
        Cli b = Cli.run(args);
        assertEquals(0, a.code(), a.dump());
        assertEquals(a.out(), b.out(), "same seed, same text");
        assertTrue(a.out().endsWith("\n"), "text then a newline");
        // A byte-level model: every token is one byte and yields at most one character.
        String text = a.out().substring(0, a.out().length() - 1);
        assertTrue(text.codePointCount(0, text.length()) <= 20, "at most 20 tokens: " + a.dump());
        assertTrue(a.err().startsWith("20 tokens, "), a.dump());
        assertTrue(a.err().contains("stop: max tokens"), a.dump());
        assertEquals(1, a.err().lines().count(), "a one-line summary");

        Cli other = Cli.run("generate", "--prompt", "Hello", "--max-tokens", "20", "--seed", "2", "--threads", "2");
        assertNotEquals(a.out(), other.out(), "another seed, another text (byte model at temperature 1)");
    }

    @Test
    void inPlaceWeightsGenerateTheSameText() {
        String[] args = {
            "generate", "--prompt", "Hello", "--max-tokens", "24", "--seed", "5", "--threads", "2", "--quiet"
        };
        Cli resident = Cli.run(args);
        String[] mapped = java.util.Arrays.copyOf(args, args.length + 2);
        mapped[args.length] = "--weights";
        mapped[args.length + 1] = "in-place";
        Cli inPlace = Cli.run(mapped);
        assertEquals(0, resident.code(), resident.dump());
        assertEquals(0, inPlace.code(), inPlace.dump());
        assertTrue(resident.out().length() > 1, resident.dump());
        assertEquals(resident.out(), inPlace.out(), "--weights changes where the weights live, not the text");
    }

    @Test
    void quietAndZeroTokens() {
        Cli r = Cli.run("generate", "--prompt", "Hello", "--max-tokens", "0", "--quiet");
        assertEquals(0, r.code(), r.dump());
        assertEquals("\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void greedyStopsBeforeAStopString() {
        Cli full = Cli.run("generate", "--prompt", "Hello", "--max-tokens", "30", "--temperature", "0", "--quiet");
        assertEquals(0, full.code(), full.dump());
        String text = full.out().substring(0, full.out().length() - 1);
        assertTrue(text.length() >= 10, "greedy text long enough for the test: " + full.dump());
        String stop = text.substring(6, 9);
        Cli stopped = Cli.run(
                "generate",
                "--prompt",
                "Hello",
                "--max-tokens",
                "30",
                "--temperature",
                "0",
                "--stop",
                "\u0000never",
                "--stop",
                stop);
        assertEquals(0, stopped.code(), stopped.dump());
        assertEquals(text.substring(0, text.indexOf(stop)) + "\n", stopped.out());
        assertTrue(stopped.err().contains("stop: stop string"), stopped.dump());
    }
}
