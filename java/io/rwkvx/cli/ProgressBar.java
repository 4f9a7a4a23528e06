package io.rwkvx.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place with carriage returns; silent when disabled (stderr not a
 * terminal), so logs and pipes never see the control characters.
 */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean enabled;
    private final long total;
    private final String unit;
    private int lastPermille = -1;

    ProgressBar(PrintStream err, boolean enabled, long total, String unit) {
        this.err = err;
        this.enabled = enabled && total > 0;
        this.total = total;
        this.unit = unit;
    }

    void update(long done) {
        if (!enabled) return;
        int permille = (int) Math.min(1000, done * 1000 / total);
        if (permille == lastPermille) return; // redraw only when the bar would change
        lastPermille = permille;
        int filled = permille * WIDTH / 1000;
        err.printf(
                Locale.ROOT,
                "\r[%s%s] %5.1f%% %d/%d %s",
                "#".repeat(filled),
                " ".repeat(WIDTH - filled),
                permille / 10.0,
                done,
                total,
                unit);
        err.flush();
    }

    /** Erases the bar so that what follows starts on a clean line. */
    void finish() {
        if (!enabled || lastPermille < 0) return;
        err.print("\r" + " ".repeat(WIDTH + 40) + "\r");
        err.flush();
    }
}
