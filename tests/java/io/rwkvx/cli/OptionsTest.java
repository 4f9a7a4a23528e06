package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared option parser. */
class OptionsTest {
    private static final OptionSpec SPEC = OptionSpec.of(
            Option.value("--n", "N", "a number"),
            Option.value("--x", "X", "anything"),
            Option.value("--ids", "IDS", "token ids"),
            Option.repeatable("--stop", "STR", "repeatable"),
            Option.flag("--quiet", "a flag"),
            Option.choice("--mode", List.of("full", "sparse"), "a choice"));

    private static Options parse(String... args) throws UsageException {
        return Options.parse("test", SPEC, List.of(args));
    }

    @Test
    void valuesFlagsAndRepeats() throws UsageException {
        Options o = parse("--n", "-3", "--x=a=b", "--stop", "one", "--stop=two", "--quiet", "--ids", " 1, 2 ,3");
        assertEquals(-3, o.intValue("--n", 0, Integer.MIN_VALUE));
        assertEquals("a=b", o.get("--x"));
        assertEquals(List.of("one", "two"), o.all("--stop"));
        assertTrue(o.flag("--quiet"));
        assertArrayEquals(new int[] {1, 2, 3}, o.idList("--ids"));
        assertFalse(o.help());
    }

    @Test
    void defaultsWhenAbsent() throws UsageException {
        Options o = parse();
        assertEquals(7, o.intValue("--n", 7, 0));
        assertEquals(0.5, o.doubleValue("--x", 0.5));
        assertNull(o.longValue("--n"));
        assertNull(o.idList("--ids"));
        assertEquals(List.of(), o.all("--stop"));
        assertFalse(o.flag("--quiet"));
    }

    @Test
    void valueMayLookLikeAnUnknownOption() throws UsageException {
        assertEquals("--not-an-option", parse("--x", "--not-an-option").get("--x"));
        assertEquals("--n", parse("--x=--n").get("--x"));
    }

    @Test
    void errorsNameTheCommandAndOption() {
        UsageException e = assertThrows(UsageException.class, () -> parse("--quiet=yes"));
        assertEquals("test", e.command());
        assertTrue(e.getMessage().contains("--quiet"));
        assertThrows(UsageException.class, () -> parse("--x", "--n", "1"));
        assertThrows(UsageException.class, () -> parse("--n", "1").intValue("--n", 0, 2));
        assertThrows(UsageException.class, () -> parse("--x", "NaN").doubleValue("--x", 0));
        assertThrows(UsageException.class, () -> parse("--x", "1").require("--n"));
        assertThrows(UsageException.class, () -> parse("-"));
    }

    @Test
    void choicesAndRanges() throws UsageException {
        assertEquals("sparse", parse("--mode", "sparse").choice("--mode", "full"));
        assertEquals("full", parse().choice("--mode", "full"));
        UsageException e = assertThrows(
                UsageException.class, () -> parse("--mode", "dense").choice("--mode", "full"));
        assertEquals("option --mode must be full or sparse, got 'dense'", e.getMessage());
        assertEquals(64, parse("--n", "64").intValue("--n", 0, 0, 64));
        e = assertThrows(UsageException.class, () -> parse("--n", "65").intValue("--n", 0, 0, 64));
        assertEquals("option --n must be at most 64, got 65", e.getMessage());
        assertEquals(1L << 40, parse("--n", "1099511627776").longValue("--n", 0, 0, Long.MAX_VALUE));
    }

    @Test
    void requiredOptionsAreCheckedUnlessHelpIsAsked() throws UsageException {
        OptionSpec spec = OptionSpec.of(Option.value("--in", "F", "input").asRequired(), Option.flag("--v", "verbose"));
        UsageException e = assertThrows(UsageException.class, () -> Options.parse("test", spec, List.of("--v")));
        assertEquals("missing required option --in", e.getMessage());
        assertTrue(Options.parse("test", spec, List.of("--help")).help());
        assertThrows(
                IllegalArgumentException.class,
                () -> OptionSpec.of(Option.flag("--v", "a"), Option.flag("--v", "b")),
                "a name declared twice");
    }

    @Test
    void helpAnywhere() throws UsageException {
        assertTrue(parse("--n", "1", "-h").help());
        assertTrue(parse("--help").help());
    }
}
