package io.rwkvx.cli;

import java.io.PrintStream;

/**
 * Where a command writes.
 *
 * @param out         results (generated text, ids, tables)
 * @param err         summaries, progress and errors
 * @param interactive whether {@code err} is a terminal, so that a progress bar may redraw itself there
 */
record Streams(PrintStream out, PrintStream err, boolean interactive) {}
