package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@code tokenize} and {@code detokenize}. */
class TokenizeCommandsTest {
    @Test
    void worldTokenizerIsTheDefault() {
        Cli r = Cli.run("tokenize", "--text", "Hello world");
        assertEquals(0, r.code(), r.dump());
        assertEquals("33155,40213\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void detokenizePrintsTheTextAndANewline() {
        Cli r = Cli.run("detokenize", "--tokens", "33155, 40213");
        assertEquals(0, r.code(), r.dump());
        assertEquals("Hello world\n", r.out());
    }

    @Test
    void roundTripWithEveryTokenizer() {
        String text = "Grüße, 世界! \t🙂 <|endoftext|>\nline two";
        for (String[] vocab :
                new String[][] {{"--vocab", "world"}, {"--vocab", "bytes"}, {"--model", Cli.FP32.toString()}}) {
            Cli ids = Cli.run("tokenize", vocab[0], vocab[1], "--text", text);
            assertEquals(0, ids.code(), ids.dump());
            Cli back = Cli.run(
                    "detokenize", vocab[0], vocab[1], "--tokens", ids.out().strip());
            assertEquals(0, back.code(), back.dump());
            assertEquals(text + "\n", back.out(), String.join(" ", vocab));
        }
    }

    @Test
    void modelFileSelectsTheByteTokenizer() {
        Cli r = Cli.run("tokenize", "--model", Cli.FP32.toString(), "--text", "\"in");
        assertEquals(0, r.code(), r.dump());
        assertEquals("34,105,110\n", r.out());
    }
}
