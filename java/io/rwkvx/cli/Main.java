package io.rwkvx.cli;

import io.rwkvx.Rwkvx;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code rwkvx} command line: {@code generate}, {@code logits}, {@code tokenize},
 * {@code detokenize}, {@code perplexity}, {@code info}, {@code bench}, {@code attn}, {@code expand}, {@code help},
 * {@code version}.
 *
 * <p>Exit codes: 0 success, 1 failure at run time (one line {@code rwkvx: error: ...} on stderr, also for
 * errors of the JVM such as {@link OutOfMemoryError}),
 * 2 wrong arguments (the message and the command's usage on stderr). Set {@code RWKVX_DEBUG=1} to
 * get stack traces of run-time failures. Text is read from arguments and files as UTF-8 and written
 * to stdout as UTF-8.
 */
public final class Main {
    private Main() {}

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the subcommand and its options
     */
    public static void main(String[] args) {
        // Models speak UTF-8; the platform default (e.g. ASCII under LANG=C) would mangle their text.
        PrintStream out = new PrintStream(
                new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int code = run(args, out, err, stderrIsTerminal());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line, writing to the given streams; returns the exit code. Never calls System.exit. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false);
    }

    /** @param interactive whether {@code err} is a terminal (enables progress bars) */
    static int run(String[] args, PrintStream out, PrintStream err, boolean interactive) {
        Streams io = new Streams(out, err, interactive);
        String name = args.length == 0 ? null : args[0];
        try {
            if (name == null) throw new UsageException(null, "no command given");
            switch (name) {
                case "help", "--help", "-h" -> {
                    return help(Arrays.copyOfRange(args, 1, args.length), io);
                }
                case "version", "--version" -> {
                    if (args.length > 1) throw new UsageException(null, "version takes no arguments");
                    out.println("rwkvx " + Rwkvx.version());
                    return 0;
                }
                default -> {}
            }
            Command command = Commands.named(name);
            if (command == null) throw new UsageException(null, "unknown command '" + name + "'");
            Options options =
                    Options.parse(name, command.options(), List.of(args).subList(1, args.length));
            if (options.help()) {
                out.print(Usage.of(name));
                return 0;
            }
            return command.run(options, io);
        } catch (UsageException e) {
            err.println("rwkvx" + (e.command() == null ? "" : " " + e.command()) + ": " + e.getMessage());
            err.println();
            err.print(Usage.of(e.command()));
            return 2;
        } catch (Throwable e) { // Errors too (OutOfMemoryError, StackOverflowError, ...): one line, exit 1
            err.println("rwkvx: error: " + describe(e));
            if ("1".equals(System.getenv("RWKVX_DEBUG"))) e.printStackTrace(err);
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int help(String[] rest, Streams io) throws UsageException {
        if (rest.length > 1) throw new UsageException(null, "help takes at most one command name");
        if (rest.length == 1 && Commands.named(rest[0]) == null)
            throw new UsageException(null, "unknown command '" + rest[0] + "'");
        io.out().print(Usage.of(rest.length == 1 ? rest[0] : null));
        return 0;
    }

    /** One line for a run-time failure; file-system exceptions carry only the path as their message. */
    static String describe(Throwable e) {
        Throwable t = e;
        String context = null;
        if (t instanceof UncheckedIOException u && u.getCause() != null) {
            context = u.getMessage();
            t = u.getCause();
        }
        String message;
        if (t instanceof FileSystemException f && f.getFile() != null) {
            String reason = t instanceof NoSuchFileException
                    ? "no such file or directory"
                    : t instanceof AccessDeniedException
                            ? "permission denied"
                            : f.getReason() != null
                                    ? f.getReason()
                                    : t.getClass().getSimpleName();
            // "cannot read state file F: no such file" rather than naming F twice.
            message = context != null && context.contains(f.getFile()) ? reason : f.getFile() + ": " + reason;
        } else {
            message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (context != null && context.contains(message)) context = null; // the wrapper already says it
        }
        // An Error (a missing native library or symbol, memory or stack exhausted): the class name says what
        // kind of failure it was, and is all some of them say.
        if (t instanceof Error)
            message = t.getMessage() == null
                    ? t.getClass().getSimpleName()
                    : t.getClass().getSimpleName() + ": " + message;
        String line = context == null ? message : context + ": " + message;
        return line.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Whether stderr can show a progress bar: {@link java.io.Console#isTerminal()} rather than a non-null console, which JDK 22+ also returns for pipes. */
    private static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
