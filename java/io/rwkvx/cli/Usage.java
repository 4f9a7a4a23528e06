package io.rwkvx.cli;

import java.util.Map;

/** The usage texts: the overview and one per subcommand. */
final class Usage {
    private Usage() {}

    static final String OVERVIEW = """
            Usage: rwkvx <command> [options]

            Commands:
              generate     generate text after a prompt (default: the bundled tiny model)
              logits       write the logits after a list of tokens to a file
              tokenize     print the token ids of a text
              detokenize   print the text of a list of token ids
              perplexity   mean loss and perplexity of a model on a text file
              info         describe a model file
              bench        measure prefill and decode speed
              attn         run the attention kernels on .npy files (compare with NumPy/PyTorch)
              expand       turn an RWKV-7 model into an RWKV-X one (zero-initialised attention blocks)
              help         show this text, or `rwkvx help <command>` for one command
              version      show the version

            `rwkvx <command> --help` shows the options of a command.
            Exit codes: 0 success, 1 failure at run time, 2 wrong arguments. RWKVX_DEBUG=1 prints stack traces.
            """;

    private static final String[] MODEL = {
        "--threads N", "compute threads, 0 = all processors (default 0)",
        "--backend KIND", "auto, native, scalar (native with portable kernels) or reference (pure Java);",
        "", "default auto: native when the library loads, else reference",
        "--tokenizer NAME", "world, neox (GPT-NeoX 20B) or bytes; default: the model's own by vocabulary",
        "", "size (65536 World, 50277 NeoX for RWKV-4 Pile, 256 bytes)",
        "--mmap", "use the weights in place from the file, zero-copy (default: a faster native copy)",
    };

    private static final Map<String, String> COMMANDS = Map.of(
            "generate", """
                    Usage: rwkvx generate [--model PATH] --prompt TEXT [options]

                    Streams the generated text (not the prompt) to stdout, then a newline; a summary line
                    (tokens, tokens/s, stop reason, seed) goes to stderr unless --quiet.
                    """ + table(new String[] {
                        "--model PATH", "model file (default: the bundled tiny byte-level RWKV-7)",
                        "--prompt TEXT", "text to continue (required)",
                        "--max-tokens N", "most tokens to generate (default 200)",
                        "--temperature T", "0 = greedy (default 1)",
                        "--top-p P", "nucleus sampling, in (0, 1] (default 1 = off)",
                        "--top-k K", "keep the K most likely tokens (default 0 = off)",
                        "--min-p P", "drop tokens below P times the top probability, in [0, 1) (default 0 = off)",
                        "--repetition-penalty R", "divides positive logits of seen tokens (default 1 = off)",
                        "--presence-penalty P", "subtracted once from the logits of seen tokens (default 0)",
                        "--frequency-penalty F", "subtracted per occurrence of seen tokens (default 0)",
                        "--seed S", "random seed: the same seed gives the same text (default: random)",
                        "--stop STR", "stop before this text, which is not printed (repeatable)",
                        "--quiet", "no summary on stderr",
                    }, MODEL),
            "logits", """
                    Usage: rwkvx logits --model PATH --tokens 1,2,3 --out FILE [--state-in F] [--state-out F]

                    Evaluates the tokens and writes the logits after the last one to FILE:
                    n_vocab float32 values, little-endian, no header.
                    """ + table(new String[] {
                        "--model PATH", "model file, rwkv.cpp .bin or .safetensors (required)",
                        "--tokens IDS", "comma-separated token ids (required)",
                        "--out FILE", "where to write the logits (required)",
                        "--state-in F", "first restore a state saved by --state-out",
                        "--state-out F", "afterwards save the state",
                    }, MODEL),
            "tokenize", """
                    Usage: rwkvx tokenize [--model PATH | --vocab world|neox|bytes] [--tokenizer NAME] --text TEXT

                    Prints the token ids of TEXT (as UTF-8), comma-separated, then a newline.
                    """ + table(new String[] {
                        "--text TEXT", "the text (required)",
                        "--model PATH", "use the tokenizer this model file calls for",
                        "--vocab NAME", "world (RWKV World, 65536 ids; the default), neox (GPT-NeoX 20B) or bytes (id = byte)",
                        "--tokenizer NAME", "the same names; overrides the tokenizer of --model",
                    }),
            "detokenize", """
                    Usage: rwkvx detokenize [--model PATH | --vocab world|neox|bytes] [--tokenizer NAME] --tokens 1,2,3

                    Prints the text of the token ids, then a newline. Invalid UTF-8 becomes U+FFFD.
                    """ + table(new String[] {
                        "--tokens IDS", "comma-separated token ids (required)",
                        "--model PATH", "use the tokenizer this model file calls for",
                        "--vocab NAME", "world (RWKV World, 65536 ids; the default), neox (GPT-NeoX 20B) or bytes (id = byte)",
                        "--tokenizer NAME", "the same names; overrides the tokenizer of --model",
                    }),
            "perplexity", """
                    Usage: rwkvx perplexity --model PATH --file TEXT [--context N]

                    Tokenizes the file (UTF-8) and prints the mean loss (nats per token) and perplexity of
                    predicting tokens 2..n, each from all the text before it. The text is evaluated N tokens
                    at a time with the state carried over, so N changes speed and memory, not the result.
                    A progress bar shows on stderr when it is a terminal.
                    """ + table(new String[] {
                        "--model PATH", "model file (required)",
                        "--file TEXT", "the text file (required)",
                        "--context N", "tokens per evaluation call (default 256)",
                    }, MODEL),
            "info", """
                    Usage: rwkvx info --model PATH

                    Prints the architecture, file format, sizes, parameter count, weight types, state size,
                    backend and fingerprint of a model; for RWKV-X also the attention-layer count, the
                    layer order and the sparse-attention settings.
                    """ + table(new String[] {"--model PATH", "model file (required)"}, MODEL),
            "bench", """
                    Usage: rwkvx bench --model PATH [--prompt-tokens N] [--gen-tokens N] [--repeat R]

                    Measures prefill (one call over N tokens) and decode (one token per call) speed like
                    llama-bench: random token ids from a fixed seed, one warm-up run, median of R runs.
                    """ + table(new String[] {
                        "--model PATH", "model file (required)",
                        "--prompt-tokens N", "prefill length (default 128)",
                        "--gen-tokens N", "decode length (default 64)",
                        "--repeat R", "timed runs (default 5)",
                    }, MODEL),
            "attn", """
                    Usage: rwkvx attn --q Q.npy --k K.npy --v V.npy --mode full|sparse --out O.npy [options]

                    Causal attention prefill with the native kernels. Q, K and V are .npy arrays of shape
                    (T, H, D), float32 or float16 (K and V alike; D a multiple of 16 up to 256). Writes O as
                    float32 (T, H, D) and, with --lse-out, the natural-log log-sum-exp as float32 (T, H).
                    sparse: each query attends causally to its own chunk plus its top-k past chunks.
                    """ + table(new String[] {
                        "--q FILE", "queries (required)",
                        "--k FILE", "keys (required)",
                        "--v FILE", "values (required)",
                        "--mode MODE", "full or sparse (required)",
                        "--chunk B", "chunk size for sparse (default 512)",
                        "--topk K", "past chunks selected per query (default 3)",
                        "--scope S", "head (each head selects) or all (one score over all heads) (default head)",
                        "--dense-below N", "sparse runs as full when T <= N (default 0)",
                        "--out FILE", "output O (required)",
                        "--lse-out FILE", "also write the log-sum-exp",
                        "--threads N", "compute threads, 0 = all processors (default 0)",
                        "--scalar", "use the portable kernels",
                    }),
            "expand", """
                    Usage: rwkvx expand --model RWKV7 --attn-layers N --out RWKVX [--seed S]

                    Builds an RWKV-X model from an RWKV-7 one (block expansion, spec rwkvx.md §4.1): after
                    every R/N RWKV-7 layers an attention block whose output projections are zero, so the
                    new model computes the same logits. q, k, v and the FFN key start small and random.
                    Writes safetensors in the RWKV-X checkpoint layout (rwkv.* and moba.j.*).
                    """ + table(new String[] {
                        "--model PATH", "RWKV-7 model file (required)",
                        "--attn-layers N", "attention blocks to insert; must divide the layer count (required)",
                        "--out FILE", "the RWKV-X safetensors file to write (required)",
                        "--seed S", "seed of the random q/k/v and FFN key initialisation (default 0)",
                    }));

    /** The usage of {@code command}, or the overview when it is null or unknown. */
    static String of(String command) {
        return command == null ? OVERVIEW : COMMANDS.getOrDefault(command, OVERVIEW);
    }

    /** An option table from (option, description) pairs; an empty option continues the line above. */
    private static String table(String[]... groups) {
        StringBuilder sb = new StringBuilder("\nOptions:\n");
        for (String[] pairs : groups)
            for (int i = 0; i < pairs.length; i += 2)
                sb.append(String.format("  %-24s %s\n", pairs[i], pairs[i + 1]));
        return sb.toString();
    }
}
