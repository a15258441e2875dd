package dev.chatbatch.cli;

import dev.chatbatch.Json;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.migration.Action;
import dev.chatbatch.migration.BackfillFailure;
import dev.chatbatch.migration.MigrationOperations;
import dev.chatbatch.migration.MigrationOperations.ActionResult;
import dev.chatbatch.migration.MigrationPlan;
import dev.chatbatch.migration.MigrationPlanner;
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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.function.Consumer;

/**
 * {@code migration list|status|plan|start|backfill|verify|repair|cutover|complete|rollback|pause|resume|run <name>}.
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
            Action.PAUSE, "Pause the backfill (from any process).",
            Action.RESUME, "Resume a paused backfill."));

    /** What cannot be undone after the actions that ask for confirmation ({@link Confirmation}). */
    private static final Map<Action, String> CONSEQUENCES = new EnumMap<>(Map.of(
            Action.CUTOVER, "the switch window opens: v2 becomes the table of record, v1 and v2 mirror each other until complete",
            Action.COMPLETE, "the triggers are dropped and v1 moves to schema archive; no rollback after this"));

    /**
     * Registers the sub-commands on {@code migration}: list and status, then one per action in the order of
     * {@link Action}, then run. Called before the command line's settings (output, handlers) are applied,
     * so the sub-commands get them too.
     */
    static void addSubcommands(CommandLine migration, CliContext cli, CommandLine.IFactory factory) {
        migration.addSubcommand(new CommandLine(new ListCmd(cli), factory));
        migration.addSubcommand(new CommandLine(new Status(cli), factory));
        migration.addSubcommand(new CommandLine(new PlanCmd(cli), factory));
        for (Action action : Action.values()) {
            CommandLine command = switch (action) {
                case BACKFILL -> new CommandLine(new Backfill(cli), factory);
                case VERIFY -> new CommandLine(new Verify(cli), factory);
                case ROLLBACK -> new CommandLine(new Rollback(cli), factory);
                case CUTOVER -> {
                    CommandLine cutover = new CommandLine(new Cutover(cli), factory);
                    cutover.getCommandSpec().usageMessage().description(DESCRIPTIONS.get(action));
                    yield cutover;
                }
                default -> {
                    CommandLine phaseAction = new CommandLine(CONSEQUENCES.containsKey(action)
                            ? new ConfirmedPhaseAction(cli, action) : new PhaseAction(cli, action), factory);
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

        /** The status service in the read-only context: for list and status, which need nothing else. */
        MigrationStatusService readOnlyStatuses() {
            return cli.readOnlySession().bean(MigrationStatusService.class);
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
            MigrationStatusService service = readOnlyStatuses();
            service.checkSpecs();
            List<MigrationStatus> all = service.list();
            json.print(out(), all, list -> {
                out().printf("%-24s %-12s %12s %12s %10s %7s%n", "NAME", "PHASE", "TOTAL", "COPIED", "REJECTED", "DONE");
                list.forEach(s -> out().printf("%-24s %-12s %,12d %,12d %,10d %6.1f%%%n", s.name(), s.phase(), s.rowsTotal(),
                        s.rowsCopied(), s.rowsRejected(), s.progressRatio() * 100));
            });
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Phase, progress, rate, ETA, pause/throttle state, partitions and phase history;"
                    + " --watch refreshes it until Ctrl-C or a final phase (COMPLETED, ROLLED_BACK).")
    static final class Status extends Named {
        @Mixin
        JsonOption json;

        @Option(names = "--watch", description = "refresh until Ctrl-C or a final phase: redrawn in place on a terminal;"
                + " otherwise a new block only when something changed")
        boolean watch;

        @Option(names = "--interval", paramLabel = "S", defaultValue = "2",
                description = "seconds between refreshes with --watch (default ${DEFAULT-VALUE}, at least 0.1)")
        double interval;

        Status(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() throws InterruptedException {
            MigrationStatusService service = readOnlyStatuses();
            service.checkSpecs();
            if (watch) {
                new StatusWatch(out(), cli.terminal().interactive(), StatusWatch.interval(interval))
                        .run(() -> render(service, service.status(name)), () -> service.status(name).phase());
                return 0;
            }
            out().print(render(service, service.status(name)));
            return 0;
        }

        /** The status as printed: text, or the JSON document with --json. */
        String render(MigrationStatusService service, MigrationStatus s) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            if (json.enabled) {
                Json.print(out, s);
                return buffer.toString(StandardCharsets.UTF_8);
            }
            printStatus(out, s);
            out.println("partitions:");
            s.partitions().forEach(p -> out.printf("  #%d %,12d/%,d copied %,d rejected %s chunk %d%n", p.partition(),
                    p.rowsCopied() + p.rowsRejected(), p.rowsTotal(), p.rowsRejected(), p.done() ? "done" : "open", p.chunkSize()));
            out.println("history:");
            for (PhaseChange h : service.history(name)) {
                out.printf("  %s %-11s -> %-11s by %s: %s%n", h.at(), h.from() == null ? "-" : h.from(), h.to(), h.actor(),
                        h.detail() == null ? "" : h.detail());
            }
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "What start and the backfill would do, changing nothing: the objects start installs, v2's indexes"
                    + " and constraints during the copy, v1's rows by reject rule, the mapping over sample rows, and an"
                    + " estimate of the backfill's duration from one chunk copied and rolled back. Exit 4 when start would"
                    + " be refused now (the reasons are listed).")
    static final class PlanCmd extends Named {
        @Mixin
        JsonOption json;

        PlanCmd(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            MigrationPlan plan = session().bean(MigrationPlanner.class).plan(name);
            json.print(out(), plan, p -> printPlan(out(), p));
            return plan.ready() ? 0 : ExitCode.ILLEGAL_TRANSITION.code();
        }
    }

    static void printPlan(PrintStream out, MigrationPlan p) {
        out.printf("plan of migration %s (%s): %s → %s, phase %s; nothing was changed%n", p.migration(), p.spec(), p.source(),
                p.target(), p.phase());
        out.println("start installs:");
        p.objects().forEach(o -> out.println(o.on() == null ? "  function " + o.name()
                : "  trigger  " + o.name() + " on " + o.on() + " (" + o.fires() + ")"));
        out.println("  rejects:  rows no rule lets through, and rows whose mapping fails, go to chatbatch.migration_rejects"
                + " (migration = '" + p.migration() + "')");
        out.println("backfill: " + p.backfill().strategy());
        p.backfill().items().forEach(i -> out.printf("  %-10s %s: %s%n    %s%n", i.kind(), i.name(), i.handling(), i.definition()));
        MigrationPlan.Rows r = p.rows();
        out.printf("rows of %s: %,d, of which %,d to copy and %,d rejected by rule%n", p.source(), r.total(), r.toCopy(),
                r.total() - r.toCopy());
        r.byReason().forEach(rc -> out.printf("  %,10d  %s%n", rc.rows(), rc.reason()));
        MigrationPlan.Sample s = p.sample();
        out.printf("mapping sample: %,d row(s), %,d rejected by rule, %s%n", s.sampled(), s.rejectedByRule(),
                s.failing() == 0 ? "none failing" : s.failing() + " failing (the backfill quarantines them as errors):");
        s.causes().forEach(c -> out.println("  " + c));
        s.firstFailures().forEach(f -> out.printf("  key %s: %s: %s%n", String.join(",", f.key()), f.field(), f.message()));
        MigrationPlan.Estimate e = p.estimate();
        out.println(e.chunkRows() == 0 ? "estimate: nothing to copy (" + p.source() + " is empty)"
                : String.format("estimate: about %s for %,d rows (%,.0f rows/s: one chunk of %,d rows copied in %.2f s and rolled"
                + " back), about %s with %d partitions in parallel if the database has the cores; an estimate, not a promise",
                duration(e.seconds()), r.toCopy(), e.rowsPerSecond(), e.chunkRows(), e.chunkSeconds(), duration(e.parallelSeconds()),
                e.partitions()));
        if (p.ready()) {
            out.println("start would go ahead: `chatbatch migration start " + p.migration() + "`");
        } else {
            out.println("start would be refused:");
            p.problems().forEach(problem -> out.println("  - " + problem));
        }
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? Math.max(1, s) + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    static void printStatus(PrintStream out, MigrationStatus s) {
        out.printf("migration %s: phase %s%n", s.name(), s.phase());
        out.printf("  rows: %,d total, %,d copied, %,d rejected (%.1f%%)%n", s.rowsTotal(), s.rowsCopied(), s.rowsRejected(),
                s.progressRatio() * 100);
        out.printf("  rate: %,.0f rows/s, ETA %s, paused %s, throttle %s%n", s.rowsPerSecond(),
                s.etaSeconds() == null ? "-" : s.etaSeconds() + " s", s.paused(), s.throttleReason() == null ? "-" : throttled(s));
        MigrationStatus.Capture c = s.capture();
        if (c != null && !"none".equals(c.mode())) {
            out.printf("  capture: %s%s%n", c.mode(), !"logical".equals(c.mode()) ? " (dual-write triggers in the writers' transactions)"
                    : String.format(" lag %,d bytes, %s, WAL retained %,d bytes, %s", c.lagBytes(),
                    c.lagSeconds() == null ? "seconds unknown (being applied now)" : String.format("%.1f s", c.lagSeconds()),
                    c.retainedWalBytes(), c.consumed() ? "being applied now" : "no reader at this instant"));
            if (c.warning() != null) {
                out.println("  WARNING: " + c.warning());
            }
        }
        MigrationStatus.Baseline b = s.throttle() == null ? null : s.throttle().baseline();
        if (b != null) {
            out.printf("  throttle baseline (run start): %.1f busy backends of other clients, slow down above %.1f, stop at %.1f"
                    + " (fail after %d s); chunk time %s, slow down above %.1f×; floor %,.0f rows/s%n", b.busyBackends(), b.slowAbove(),
                    b.criticalAt(), b.criticalTimeoutSeconds(), b.chunkMillisPerThousandRows() == null ? "not measured yet"
                    : String.format("%.1f ms per 1000 rows", b.chunkMillisPerThousandRows()), b.chunkSlowFactor(), b.floorRowsPerSecond());
        }
        MigrationStatus.IndexRebuild ix = s.indexes();
        if (ix != null) {
            out.printf("  indexes (deferred at start, rebuilt after the copy): %s, %d of %d done%n", ix.state(), ix.done(), ix.total());
            for (MigrationStatus.DeferredObject o : ix.objects()) {
                out.printf("    %-11s %-45s %s%n", o.kind(), o.name(), o.state());
            }
            MigrationStatus.BuildProgress p = ix.current();
            if (p != null) {
                out.printf("    building %s: %s, blocks %,d/%,d, tuples %,d/%,d%n", p.index(), p.phase(), p.blocksDone(), p.blocksTotal(),
                        p.tuplesDone(), p.tuplesTotal());
            }
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
        @Option(names = "--no-progress", description = "print a line every few seconds instead of a progress bar"
                + " (always so when the output is not a terminal)")
        boolean noProgress;

        FollowsBackfill(CliContext cli) {
            super(cli);
        }

        /** A bar redraws its line with carriage returns: only on a terminal, never into a file or pipe. */
        boolean bar() {
            return !noProgress && cli.terminal().interactive();
        }
    }

    @Command(mixinStandardHelpOptions = true)
    static class PhaseAction extends Named {
        final Action action;

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

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = {
        "From DUAL_WRITE … CUT_OVER: drop the triggers; v1 stays writable and complete.",
        "With --clean-target (also once ROLLED_BACK): then delete every row of v2 and the migration's rejects, so start can"
                + " run again; asks first on a terminal, --yes in scripts."})
    static final class Rollback extends Named {
        @Option(names = "--clean-target", description = "after the rollback, empty what the attempt wrote to v2 (and its rejects)")
        boolean cleanTarget;

        @Mixin
        Confirmation confirmation;

        Rollback(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            if (!cleanTarget) {
                out().println("rollback " + name + ": " + ops().perform(name, Action.ROLLBACK, actor()).message());
                return 0;
            }
            Phase phase = statuses().status(name).phase();
            if (phase != Phase.ROLLED_BACK && !Action.ROLLBACK.allowedFrom(phase)) {
                ops().cleanTarget(name, actor()); // refuses, saying why
            }
            String target = ops().spec(name).target().qualified();
            confirmation.require(cli, "migration rollback " + name + " --clean-target", (phase == Phase.ROLLED_BACK
                    ? "deletes" : "rolls back " + name + ", then deletes") + " every row of " + target + " and the rejects of "
                    + name + " (v1 keeps every row)");
            if (phase != Phase.ROLLED_BACK) {
                out().println("rollback " + name + ": " + ops().perform(name, Action.ROLLBACK, actor()).message());
            }
            MigrationOperations.Cleaned cleaned = ops().cleanTarget(name, actor());
            out().printf("clean-target %s: %,d row(s) deleted from %s, %,d reject(s) removed; `chatbatch migration start %s` can"
                    + " run again%n", name, cleaned.targetRows(), cleaned.target(), cleaned.rejects(), name);
            return 0;
        }
    }

    /** {@code cutover} and {@code complete}: asked on a terminal, {@code --yes} in scripts. */
    @Command(mixinStandardHelpOptions = true)
    static final class ConfirmedPhaseAction extends PhaseAction {
        @Mixin
        Confirmation confirmation;

        ConfirmedPhaseAction(CliContext cli, Action action) {
            super(cli, action);
        }

        @Override
        public Integer call() {
            confirmation.require(cli, "migration " + action.cliName() + " " + name, CONSEQUENCES.get(action));
            return super.call();
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

        @Mixin
        Confirmation confirmation;

        Cutover(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() throws InterruptedException {
            confirmation.require(cli, "migration cutover " + name, CONSEQUENCES.get(Action.CUTOVER));
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
            runBackfill(cli, name, bar());
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
        MigrationStatus before = statuses.status(name);
        long processedAtLaunch = before.rowsCopied() + before.rowsRejected();
        JobExecution execution = ops.launchBackfill(name, actor());
        cli.out().println("backfill " + name + ": execution " + execution.getId() + " started");
        ProgressBar pb = null;
        FramesAfterFirstMessage frames = null;
        long lastLine = 0;
        try {
            while (true) {
                JobExecution current = jobs.execution(execution.getId());
                MigrationStatus s = statuses.status(name);
                String step = BackfillFrame.runningStep(current);
                // until the copy starts, the total of an earlier phase or run is not this run's
                boolean counted = step != null && !step.equals("prepare") && s.rowsTotal() > 0;
                String doing = BackfillFrame.describe(name, s, step, processedAtLaunch);
                long processed = s.rowsCopied() + s.rowsRejected();
                if (bar) {
                    if (pb == null) {
                        // from the first frame: what it is doing, an open-ended bar until the rows are counted; the ETA is
                        // in the phrase (the bar's own would extrapolate from the elapsed time, paused or not)
                        pb = new ProgressBarBuilder().setTaskName("backfill").setInitialMax(counted ? s.rowsTotal() : -1)
                                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setUnit(" rows", 1).hideEta()
                                .setConsumer(frames = new FramesAfterFirstMessage(new ConsoleProgressBarConsumer(cli.out(), 120))).build();
                    } else if (counted && pb.getMax() != s.rowsTotal()) {
                        pb.maxHint(s.rowsTotal());
                    }
                    pb.stepTo(counted ? processed : 0);
                    pb.setExtraMessage(" " + doing);
                    frames.ready();
                } else if (System.nanoTime() - lastLine > 2_000_000_000L) {
                    lastLine = System.nanoTime();
                    cli.out().printf("  %,d/%,d rows (%.1f%%): %s%n", processed, s.rowsTotal(), s.progressRatio() * 100, doing);
                }
                if (!current.isRunning() && !jobs.isRunning("migration-backfill")) {
                    if (pb != null && s.rowsTotal() > 0) {
                        pb.maxHint(s.rowsTotal());
                        pb.stepTo(processed);
                        pb.setExtraMessage(" ended");
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

        @Option(names = "--no-progress", description = "print a line every few seconds instead of a progress bar"
                + " (always so when the output is not a terminal)")
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
                try (RangeProgress progress = new RangeProgress(out(), !noProgress && cli.terminal().interactive())) {
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
            description = "start → backfill → verify → cutover, each step printed; continues from the current phase;"
                    + " --until stops after an earlier phase.")
    static final class Run extends FollowsBackfill {
        /** The phases run can stop in, in the order it reaches them. */
        static final List<Phase> STOPS = List.of(Phase.DUAL_WRITE, Phase.BACKFILLED, Phase.VERIFIED, Phase.CUT_OVER);

        @Mixin
        Confirmation confirmation;

        @Option(names = "--until", paramLabel = "<phase>",
                description = "stop once the migration has reached this phase: DUAL_WRITE, BACKFILLED, VERIFIED or CUT_OVER"
                        + " (the default); only CUT_OVER asks for confirmation")
        String until;

        Run(CliContext cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Phase stop = until == null ? Phase.CUT_OVER : until(until);
            if (stop == Phase.CUT_OVER) {
                confirmation.require(cli, "migration run " + name, "it ends in cutover: " + CONSEQUENCES.get(Action.CUTOVER));
            }
            return run(cli, name, bar(), stop);
        }

        /** {@code --until}'s value as a phase run stops in ({@code cut-over} and {@code cut_over} as well as {@code CUT_OVER}). */
        static Phase until(String value) {
            String normal = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            return STOPS.stream().filter(p -> p.name().equals(normal)).findFirst().orElseThrow(() -> OperatorException.usage(
                    "--until " + value + " is not a phase migration run stops in: use one of "
                            + STOPS.stream().map(Phase::name).collect(Collectors.joining(", "))));
        }

        static int run(CliContext cli, String name, boolean bar) {
            return run(cli, name, bar, Phase.CUT_OVER);
        }

        static int run(CliContext cli, String name, boolean bar, Phase until) {
            MigrationOperations ops = cli.session().bean(MigrationOperations.class);
            MigrationStatusService statuses = cli.session().bean(MigrationStatusService.class);
            ops.spec(name);
            Phase phase = statuses.status(name).phase();
            if (!reached(phase, until) && (phase == Phase.PENDING || phase == Phase.ROLLED_BACK)) {
                cli.out().println("== start: " + ops.perform(name, Action.START, actor()).message());
                phase = statuses.status(name).phase();
            }
            if (!reached(phase, until) && (phase == Phase.DUAL_WRITE || phase == Phase.BACKFILLING)) {
                cli.out().println("== backfill");
                runBackfill(cli, name, bar);
                phase = statuses.status(name).phase();
            }
            if (!reached(phase, until) && phase == Phase.BACKFILLED) {
                cli.out().println("== verify");
                VerifyReport report = ops.verify(name, actor());
                printReport(cli, report, false);
                if (!report.ok()) {
                    return ExitCode.DIFFERENCES.code();
                }
                phase = statuses.status(name).phase();
            }
            if (!reached(phase, until) && phase == Phase.VERIFIED) {
                cli.out().println("== cutover: " + ops.cutover(name, actor(), cli.out()::println).message());
            }
            phase = statuses.status(name).phase();
            cli.out().println("migration " + name + " is in phase " + phase
                    + (until != Phase.CUT_OVER && reached(phase, until) ? " (stopped: --until " + until + ")" : ""));
            return 0;
        }

        /** Whether {@code phase} is {@code until} or past it in the workflow (ROLLED_BACK starts over). */
        private static boolean reached(Phase phase, Phase until) {
            return phase != Phase.ROLLED_BACK && phase.ordinal() >= until.ordinal();
        }
    }

    /**
     * The bar's consumer, silent until the command has set the bar's first message: the bar draws a frame as
     * soon as it is built, before it can be told what the run is doing, and that frame would say nothing.
     */
    private static final class FramesAfterFirstMessage implements me.tongfei.progressbar.ProgressBarConsumer {
        private final ConsoleProgressBarConsumer console;
        private volatile boolean ready;

        FramesAfterFirstMessage(ConsoleProgressBarConsumer console) {
            this.console = console;
        }

        void ready() {
            ready = true;
        }

        @Override
        public int getMaxRenderedLength() {
            return console.getMaxRenderedLength();
        }

        @Override
        public void accept(String frame) {
            if (ready) {
                console.accept(frame);
            }
        }

        @Override
        public void close() {
            console.close();
        }
    }
}
