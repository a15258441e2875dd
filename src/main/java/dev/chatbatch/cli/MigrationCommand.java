package dev.chatbatch.cli;

import dev.chatbatch.Json;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.migration.Action;
import dev.chatbatch.migration.BackfillFailure;
import dev.chatbatch.migration.MigrationOperations;
import dev.chatbatch.migration.MigrationOperations.ActionResult;
import dev.chatbatch.migration.MigrationStatus;
import dev.chatbatch.migration.MigrationStatusService;
import dev.chatbatch.migration.Phase;
import dev.chatbatch.migration.PhaseChange;
import dev.chatbatch.migration.VerifyProgress;
import dev.chatbatch.migration.VerifyReport;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.springframework.batch.core.job.JobExecution;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code migration list|status|start|backfill|verify|repair|cutover|complete|rollback|pause|resume|run <name>}.
 * The sub-commands are registered by {@link #addSubcommands}, one per {@link Action} in the action table's
 * order: {@code backfill}, {@code verify} and {@code cutover} have commands of their own (they render more or
 * take options), every other
 * action is one {@link PhaseAction} through {@link MigrationOperations#perform}.
 */
@Command(name = "migration", mixinStandardHelpOptions = true,
        description = "The phased zero-downtime table migration driven by a spec in jobs/ (e.g. chat-messages-v2).")
final class MigrationCommand extends CommandGroup {

    /** What each action that {@link PhaseAction} runs does, for {@code --help}. */
    private static final Map<Action, String> DESCRIPTIONS = new EnumMap<>(Map.of(
            Action.START, "Install the dual write (PENDING → DUAL_WRITE).",
            Action.REPAIR, "Re-sync the key ranges the last verify named.",
            Action.CUTOVER, "From VERIFIED: opens the switch window: v1 and v2 both take writes, each mirrored into the other until complete.",
            Action.COMPLETE, "End the switch window: drop the triggers, move v1 into schema archive (and leave the compatibility view if the spec asks).",
            Action.ROLLBACK, "From DUAL_WRITE … CUT_OVER: drop the triggers; v1 stays writable and complete.",
            Action.PAUSE, "Pause the backfill (from any process).",
            Action.RESUME, "Resume a paused backfill."));

    /**
     * Registers the sub-commands on {@code migration}: list and status, then one per action in the order of
     * {@link Action}, then run. Called before the command line's settings (output, handlers) are applied,
     * so the sub-commands get them too.
     */
    static void addSubcommands(CommandLine migration, CliContext cli, CommandLine.IFactory factory) {
        migration.addSubcommand(new CommandLine(new ListCmd(cli), factory));
        migration.addSubcommand(new CommandLine(new Status(cli), factory));
        for (Action action : Action.values()) {
            CommandLine command = switch (action) {
                case BACKFILL -> new CommandLine(new Backfill(cli), factory);
                case VERIFY -> new CommandLine(new Verify(cli), factory);
                case CUTOVER -> {
                    CommandLine cutover = new CommandLine(new Cutover(cli), factory);
                    cutover.getCommandSpec().usageMessage().description(DESCRIPTIONS.get(action));
                    yield cutover;
                }
                default -> {
                    CommandLine phaseAction = new CommandLine(new PhaseAction(cli, action), factory);
                    phaseAction.getCommandSpec().usageMessage().description(DESCRIPTIONS.get(action));
                    yield phaseAction;
                }
            };
            migration.addSubcommand(action.cliName(), command);
        }
        migration.addSubcommand(new CommandLine(new Run(cli), factory));
    }

    static String actor() {
        return System.getProperty("user.name", "operator") + "@cli";
    }

    /** Shared by the sub-commands: the session's migration services. */
    abstract static class Base implements Callable<Integer> {
        final CliContext cli;

        Base(CliContext cli) {
            this.cli = cli;
        }

        AppSession session() {
            return cli.session();
        }

        MigrationOperations ops() {
            return session().bean(MigrationOperations.class);
        }

        MigrationStatusService statuses() {
            return session().bean(MigrationStatusService.class);
        }

        PrintStream out() {
            return cli.out();
        }
    }

    abstract static class Named extends Base {
        @Parameters(index = "0", paramLabel = "<name>", description = "migration name (the spec's name:, e.g. chat-messages-v2)")
        String name;

        Named(CliContext cli) {
            super(cli);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Migrations with their phase and progress.")
    static final class ListCmd extends Base {
        @Mixin
        JsonOption json;

        ListCmd(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<MigrationStatus> all = statuses().list();
            json.print(out(), all, list -> {
                out().printf("%-24s %-12s %12s %12s %10s %7s%n", "NAME", "PHASE", "TOTAL", "COPIED", "REJECTED", "DONE");
                list.forEach(s -> out().printf("%-24s %-12s %,12d %,12d %,10d %6.1f%%%n", s.name(), s.phase(), s.rowsTotal(),
                        s.rowsCopied(), s.rowsRejected(), s.progressRatio() * 100));
            });
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Phase, progress, rate, ETA, pause/throttle state, partitions and phase history.")
    static final class Status extends Named {
        @Mixin
        JsonOption json;

        Status(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            MigrationStatusService service = statuses();
            MigrationStatus s = service.status(name);
            if (json.enabled) {
                Json.print(out(), s);
                return 0;
            }
            printStatus(out(), s);
            out().println("partitions:");
            s.partitions().forEach(p -> out().printf("  #%d %,12d/%,d copied %,d rejected %s chunk %d%n", p.partition(),
                    p.rowsCopied() + p.rowsRejected(), p.rowsTotal(), p.rowsRejected(), p.done() ? "done" : "open", p.chunkSize()));
            out().println("history:");
            for (PhaseChange h : service.history(name)) {
                out().printf("  %s %-11s -> %-11s by %s: %s%n", h.at(), h.from() == null ? "-" : h.from(), h.to(), h.actor(),
                        h.detail() == null ? "" : h.detail());
            }
            return 0;
        }
    }

    static void printStatus(PrintStream out, MigrationStatus s) {
        out.printf("migration %s: phase %s%n", s.name(), s.phase());
        out.printf("  rows: %,d total, %,d copied, %,d rejected (%.1f%%)%n", s.rowsTotal(), s.rowsCopied(), s.rowsRejected(),
                s.progressRatio() * 100);
        out.printf("  rate: %,.0f rows/s, ETA %s, paused %s, throttle %s%n", s.rowsPerSecond(),
                s.etaSeconds() == null ? "-" : s.etaSeconds() + " s", s.paused(), s.throttleReason() == null ? "-" : throttled(s));
        MigrationStatus.Baseline b = s.throttle() == null ? null : s.throttle().baseline();
        if (b != null) {
            out.printf("  throttle baseline (run start): %.1f busy backends of other clients, slow down above %.1f, stop at %.1f"
                    + " (fail after %d s); chunk time %s, slow down above %.1f×; floor %,.0f rows/s%n", b.busyBackends(), b.slowAbove(),
                    b.criticalAt(), b.criticalTimeoutSeconds(), b.chunkMillisPerThousandRows() == null ? "not measured yet"
                    : String.format("%.1f ms per 1000 rows", b.chunkMillisPerThousandRows()), b.chunkSlowFactor(), b.floorRowsPerSecond());
        }
    }

    /** The throttle's reason with its signal and action first: {@code [busy_backends stop since …] critical load: …}. */
    static String throttled(MigrationStatus s) {
        MigrationStatus.Throttling t = s.throttle();
        if (t == null || t.signal() == null) {
            return s.throttleReason();
        }
        return "[" + t.signal() + " " + t.action() + (t.since() == null ? "" : " since " + t.since()) + "] " + s.throttleReason();
    }

    /**
     * {@code migration <action> <name>} for the actions that print one line: what
     * {@link MigrationOperations#perform} did, after the action and migration ({@code pause}/{@code resume}
     * say both themselves).
     */
    /** The commands that follow a backfill to its end: with a progress bar, or a line every few seconds. */
    abstract static class FollowsBackfill extends Named {
        @Option(names = "--no-progress", description = "print a line every few seconds instead of a progress bar")
        boolean noProgress;

        FollowsBackfill(CliContext cli) {
            super(cli);
        }
    }

    @Command(mixinStandardHelpOptions = true)
    static final class PhaseAction extends Named {
        private final Action action;

        PhaseAction(CliContext cli, Action action) {
            super(cli);
            this.action = action;
        }

        @Override
        public Integer call() {
            ActionResult result = ops().perform(name, action, actor());
            out().println(action == Action.PAUSE || action == Action.RESUME ? result.message()
                    : action.cliName() + " " + name + ": " + result.message());
            return 0;
        }
    }

    /**
     * {@code migration cutover <name> [--postpone-file FILE]}: gh-ost's postpone flag. While FILE exists the
     * cutover waits (the phase is checked first, so a cutover that could not run is refused at once, not
     * after the wait); deleting FILE lets it go on, within its lock budget as always.
     */
    @Command(mixinStandardHelpOptions = true)
    static final class Cutover extends Named {
        static final Duration RECHECK = Duration.ofSeconds(1);
        static final Duration REPORT_EVERY = Duration.ofMinutes(1);

        @Option(names = "--postpone-file", paramLabel = "FILE",
                description = "wait while FILE exists, re-checked every second; delete it to let cutover go on")
        Path postponeFile;

        Cutover(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() throws InterruptedException {
            if (postponeFile != null) {
                Action.CUTOVER.check(name, statuses().status(name).phase());
                awaitRemoval(postponeFile, "cutover " + name, out()::println, RECHECK, REPORT_EVERY);
            }
            out().println("cutover " + name + ": " + ops().cutover(name, actor(), out()::println).message());
            return 0;
        }

        /** Returns once {@code file} no longer exists, with a line when the wait starts and every {@code reportEvery}. */
        static void awaitRemoval(Path file, String what, Consumer<String> progress, Duration recheck, Duration reportEvery)
                throws InterruptedException {
            long start = System.nanoTime();
            long reported = Long.MIN_VALUE;
            while (Files.exists(file)) {
                long now = System.nanoTime();
                if (reported == Long.MIN_VALUE || now - reported >= reportEvery.toNanos()) {
                    progress.accept(String.format(Locale.ROOT, "%s postponed while %s exists (%.0f s so far): delete it to go on",
                            what, file, (now - start) / 1e9));
                    reported = now;
                }
                Thread.sleep(recheck.toMillis());
            }
        }
    }

    @Command(name = "backfill", mixinStandardHelpOptions = true,
            description = "Copy the historical rows in keyset chunks (resumes after a crash), with a live progress bar.")
    static final class Backfill extends FollowsBackfill {
        Backfill(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            runBackfill(cli, name, !noProgress);
            return 0;
        }
    }

    /**
     * Launches the backfill in the background and follows its persisted progress until it ends. A lost
     * database (restart, terminated connections) fails it with one clear line saying how to resume.
     */
    static void runBackfill(CliContext cli, String name, boolean bar) {
        try {
            followBackfill(cli, name, bar);
        } catch (OperatorException e) {
            throw e;
        } catch (RuntimeException e) {
            throw BackfillFailure.of(name, e);
        }
    }

    private static void followBackfill(CliContext cli, String name, boolean bar) {
        AppSession session = cli.session();
        MigrationOperations ops = session.bean(MigrationOperations.class);
        MigrationStatusService statuses = session.bean(MigrationStatusService.class);
        JobRunner jobs = session.bean(JobRunner.class);
        JobExecution execution = ops.launchBackfill(name, actor());
        cli.out().println("backfill " + name + ": execution " + execution.getId() + " started");
        AtomicReference<MigrationStatus> latest = new AtomicReference<>(statuses.status(name));
        ProgressBar pb = null;
        long lastLine = 0;
        try {
            while (true) {
                JobExecution current = jobs.execution(execution.getId());
                MigrationStatus s = statuses.status(name);
                latest.set(s);
                long processed = s.rowsCopied() + s.rowsRejected();
                if (bar) {
                    if (pb == null && s.rowsTotal() > 0) {
                        pb = new ProgressBarBuilder().setTaskName("backfill").setInitialMax(s.rowsTotal())
                                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setUnit(" rows", 1)
                                .setConsumer(new ConsoleProgressBarConsumer(cli.out(), 120))
                                .setEtaFunction(state -> Optional.ofNullable(latest.get().etaSeconds()).map(Duration::ofSeconds))
                                .build();
                    }
                    if (pb != null) {
                        pb.stepTo(processed);
                        pb.setExtraMessage(String.format(" %,.0f rows/s%s", s.rowsPerSecond(), s.paused() ? " PAUSED"
                                : s.throttleReason() == null ? "" : " throttled: " + throttled(s)));
                    }
                } else if (System.nanoTime() - lastLine > 2_000_000_000L) {
                    lastLine = System.nanoTime();
                    cli.out().printf("  %,d/%,d rows (%.1f%%), %,.0f rows/s, ETA %s%s%n", processed, s.rowsTotal(),
                            s.progressRatio() * 100, s.rowsPerSecond(), s.etaSeconds() == null ? "-" : s.etaSeconds() + " s",
                            s.paused() ? ", PAUSED" : s.throttleReason() == null ? "" : ", throttled: " + throttled(s));
                }
                if (!current.isRunning() && !jobs.isRunning("migration-backfill")) {
                    if (pb != null) {
                        pb.stepTo(processed);
                    }
                    break;
                }
                Thread.sleep(300);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (pb != null) {
                pb.close();
            }
        }
        var summary = ops.finished(name, jobs.execution(execution.getId()));
        MigrationStatus s = statuses.status(name);
        cli.out().printf("backfill %s: %s, %,d rows copied, %,d rejected, %,d rows written in %.1f s; phase %s%n", name,
                summary.status(), s.rowsCopied(), s.rowsRejected(), summary.rowsAffected(),
                summary.durationSeconds() == null ? 0 : summary.durationSeconds(), s.phase());
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Counts and per-key-range checksums of mapped v1 vs v2; exit 3 naming the differing ranges.")
    static final class Verify extends Named {
        @Mixin
        JsonOption json;

        @Option(names = "--no-progress", description = "print a line every few seconds instead of a progress bar")
        boolean noProgress;

        Verify(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            VerifyReport report;
            if (json.enabled) { // the output is the one JSON document
                report = ops().verify(name, actor());
            } else {
                try (RangeProgress progress = new RangeProgress(out(), !noProgress)) {
                    report = ops().verify(name, actor(), progress);
                }
            }
            printReport(cli, report, json.enabled);
            return report.ok() ? 0 : ExitCode.DIFFERENCES.code();
        }
    }

    /** Verify's key ranges as they are checked (by several workers at once): a progress bar, or a line every few seconds. */
    static final class RangeProgress implements VerifyProgress, AutoCloseable {
        private final PrintStream out;
        private final boolean bar;
        private ProgressBar pb;
        private long rows;
        private int differing;
        private long lastLine = System.nanoTime();

        RangeProgress(PrintStream out, boolean bar) {
            this.out = out;
            this.bar = bar;
        }

        @Override
        public synchronized void started(int ranges) {
            if (bar) {
                pb = new ProgressBarBuilder().setTaskName("verify").setInitialMax(ranges).setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(250).setUnit(" ranges", 1).setConsumer(new ConsoleProgressBarConsumer(out, 120))
                        .build();
            }
        }

        @Override
        public synchronized void rangeChecked(int range, int done, int ranges, long sourceRows, boolean same) {
            rows += sourceRows;
            differing += same ? 0 : 1;
            String tally = String.format("%,d v1 rows%s", rows, differing == 0 ? "" : ", " + differing + " range(s) differ");
            if (pb != null) {
                pb.stepTo(done);
                pb.setExtraMessage(" " + tally);
            } else if (!bar && (System.nanoTime() - lastLine > 2_000_000_000L || done == ranges)) {
                lastLine = System.nanoTime();
                out.printf("  %d/%d key ranges checked, %s%n", done, ranges, tally);
            }
        }

        @Override
        public synchronized void close() {
            if (pb != null) {
                pb.close();
            }
        }
    }

    /** The report's one-line verdict: the counts and how many key ranges differ. */
    static void printReport(CliContext cli, VerifyReport r, boolean json) {
        if (json) {
            Json.print(cli.out(), r);
            return;
        }
        PrintStream out = cli.out();
        out.println("verify " + r.migration() + ": " + r.summary() + String.format(" (%.1f s)", r.seconds()));
        r.minMax().forEach(m -> out.printf("  %s %s: v1 %s .. %s, v2 %s .. %s%n", m.match() ? "ok  " : "DIFF", m.column(),
                m.sourceMin(), m.sourceMax(), m.targetMin(), m.targetMax()));
        for (VerifyReport.RangeDiff d : r.mismatchedRanges()) {
            out.printf("  range %d (%s, %s]: v1 %,d (%,d rejected) v2 %,d rejects %,d; missing %,d extra %,d different %,d%n",
                    d.range(), d.lowerKey() == null ? "-inf" : String.join(",", d.lowerKey()),
                    d.upperKey() == null ? "+inf" : String.join(",", d.upperKey()), d.sourceRows(), d.sourceRejected(),
                    d.targetRows(), d.rejectRows(), d.missing(), d.extra(), d.different());
        }
        if (!r.ok()) {
            out.println("  run `chatbatch migration repair " + r.migration() + "` to re-sync these ranges, then verify again");
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "start → backfill → verify → cutover, each step printed; continues from the current phase.")
    static final class Run extends FollowsBackfill {
        Run(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            return run(cli, name, !noProgress);
        }

        static int run(CliContext cli, String name, boolean bar) {
            MigrationOperations ops = cli.session().bean(MigrationOperations.class);
            MigrationStatusService statuses = cli.session().bean(MigrationStatusService.class);
            ops.spec(name);
            Phase phase = statuses.status(name).phase();
            if (phase == Phase.PENDING || phase == Phase.ROLLED_BACK) {
                cli.out().println("== start: " + ops.perform(name, Action.START, actor()).message());
                phase = statuses.status(name).phase();
            }
            if (phase == Phase.DUAL_WRITE || phase == Phase.BACKFILLING) {
                cli.out().println("== backfill");
                runBackfill(cli, name, bar);
                phase = statuses.status(name).phase();
            }
            if (phase == Phase.BACKFILLED) {
                cli.out().println("== verify");
                VerifyReport report = ops.verify(name, actor());
                printReport(cli, report, false);
                if (!report.ok()) {
                    return ExitCode.DIFFERENCES.code();
                }
                phase = statuses.status(name).phase();
            }
            if (phase == Phase.VERIFIED) {
                cli.out().println("== cutover: " + ops.cutover(name, actor(), cli.out()::println).message());
            }
            cli.out().println("migration " + name + " is in phase " + statuses.status(name).phase());
            return 0;
        }
    }
}
