package dev.chatbatch.cli;

import dev.chatbatch.OperatorException;
import dev.chatbatch.migration.Phase;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code migration status <name> --watch}: the status again every interval until Ctrl-C or a final phase. On a
 * terminal the screen is cleared and the status redrawn in place; otherwise (a file, a pipe, CI) a new block is
 * printed only when it changed, with a time line before it, and never a carriage return or escape code.
 */
final class StatusWatch {

    /** Phases no action leaves: watching ends there. */
    static boolean isFinal(Phase phase) {
        return phase == Phase.COMPLETED || phase == Phase.ROLLED_BACK;
    }

    /** Cursor home, then erase the screen (ANSI): the next block is drawn where the last one was. */
    static final String REDRAW = "\u001b[H\u001b[2J";

    private static final Duration SHORTEST = Duration.ofMillis(100);

    private final PrintStream out;
    private final boolean terminal;
    private final Duration interval;

    StatusWatch(PrintStream out, boolean terminal, Duration interval) {
        this.out = out;
        this.terminal = terminal;
        this.interval = interval;
    }

    /** {@code --interval S} as a duration, refused below 0.1 s (or not a number of seconds). */
    static Duration interval(double seconds) {
        if (!(seconds >= SHORTEST.toMillis() / 1000.0) || Double.isInfinite(seconds)) {
            throw OperatorException.usage("--interval " + seconds + " is too short: give the seconds between refreshes, at least 0.1");
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /**
     * Shows {@code render}'s block until {@code phase} is final (that block is the last one shown).
     *
     * @param render the status block as the status command prints it
     * @param phase  the migration's phase now
     */
    void run(Supplier<String> render, Supplier<Phase> phase) throws InterruptedException {
        String shown = null;
        while (true) {
            // the phase first: a block rendered after it is at least as new, so the last block shows the final phase
            boolean last = isFinal(phase.get());
            String block = render.get();
            if (terminal) {
                out.print(REDRAW + block + String.format(Locale.ROOT, "%n(every %s, Ctrl-C to stop)%n", seconds()));
                out.flush();
            } else if (!block.equals(shown)) {
                out.println("== " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
                out.print(block);
                out.flush();
            }
            shown = block;
            if (last) {
                if (terminal) {
                    out.println("final phase reached: watch ended");
                }
                return;
            }
            Thread.sleep(interval.toMillis());
        }
    }

    private String seconds() {
        double s = interval.toMillis() / 1000.0;
        return s == Math.rint(s) ? (long) s + " s" : s + " s";
    }
}
