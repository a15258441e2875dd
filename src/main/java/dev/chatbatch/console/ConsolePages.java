package dev.chatbatch.console;

import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.maintenance.MaintenanceJobs;
import dev.chatbatch.migration.Action;
import dev.chatbatch.migration.MigrationStatus;
import dev.chatbatch.migration.MigrationStatusService;
import dev.chatbatch.migration.Phase;
import dev.chatbatch.migration.PhaseChange;
import dev.chatbatch.migration.VerifyReport;
import dev.chatbatch.schedule.ScheduleView;
import dev.chatbatch.schedule.ScheduleViews;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's pages. Each page has a {@code /live} twin that renders only its changing part, which the
 * page's script fetches every two seconds. Pages only read; actions are buttons and forms whose script
 * calls the REST API. Action buttons are rendered for operators only (the API refuses viewers anyway).
 */
@Controller
@ConditionalOnWebApplication
class ConsolePages {

    /** The newest executions the executions page shows (after its job and status filter). */
    static final int LISTED = 100;
    /** Actions that cannot simply be taken back: the page asks before sending them. */
    static final Set<Action> CONFIRM = EnumSet.of(Action.CUTOVER, Action.COMPLETE, Action.ROLLBACK, Action.REPAIR);
    static final List<String> STATUSES = List.of("STARTING", "STARTED", "STOPPING", "STOPPED", "COMPLETED", "FAILED",
            "ABANDONED", "UNKNOWN");
    /** The phases in workflow order, as the state diagram draws them (ROLLED_BACK apart). */
    static final List<Phase> WORKFLOW = List.of(Phase.PENDING, Phase.DUAL_WRITE, Phase.BACKFILLING, Phase.BACKFILLED,
            Phase.VERIFIED, Phase.CUT_OVER, Phase.COMPLETED);

    /** One button: the action, the API path it posts to, and the question asked first (null: none). */
    record ActionButton(String action, String path, String confirm) {
    }

    record MigrationView(MigrationStatus status, List<PhaseChange> history, VerifyReport lastVerify,
                         List<ActionButton> actions) {
    }

    /** {@code parameters}: name to what a valid value looks like (empty: free key=value lines only). */
    record JobView(String name, boolean running, ScheduleView schedule, ExecutionSummary last,
                   Map<String, String> parameters) {
        public boolean dryRun() {
            return parameters.containsKey("dry-run");
        }
    }

    private final MigrationStatusService migrations;
    private final JobRunner jobs;
    private final ScheduleViews schedules;

    ConsolePages(MigrationStatusService migrations, JobRunner jobs, ScheduleViews schedules) {
        this.migrations = migrations;
        this.jobs = jobs;
        this.schedules = schedules;
    }

    @GetMapping("/")
    String home() {
        return "redirect:/migrations";
    }

    @GetMapping("/login")
    String login() {
        return "console/login";
    }

    @GetMapping("/migrations")
    String migrations(Model model, Authentication who) {
        migrationsModel(model, who);
        return "console/migrations";
    }

    @GetMapping("/migrations/live")
    String migrationsLive(Model model, Authentication who) {
        migrationsModel(model, who);
        return "console/migrations :: live";
    }

    @GetMapping("/jobs")
    String jobs(Model model, Authentication who) {
        jobsModel(model, who);
        return "console/jobs";
    }

    @GetMapping("/jobs/live")
    String jobsLive(Model model, Authentication who) {
        jobsModel(model, who);
        return "console/jobs :: live";
    }

    @GetMapping("/executions")
    String executions(@RequestParam(required = false) String job, @RequestParam(required = false) String status,
                      Model model, Authentication who) {
        executionsModel(job, status, model, who);
        return "console/executions";
    }

    @GetMapping("/executions/live")
    String executionsLive(@RequestParam(required = false) String job, @RequestParam(required = false) String status,
                          Model model, Authentication who) {
        executionsModel(job, status, model, who);
        return "console/executions :: live";
    }

    @GetMapping("/executions/{id}")
    String execution(@PathVariable long id, Model model, Authentication who) {
        executionModel(id, model, who);
        return "console/execution";
    }

    @GetMapping("/executions/{id}/live")
    String executionLive(@PathVariable long id, Model model, Authentication who) {
        executionModel(id, model, who);
        return "console/execution :: live";
    }

    private void common(Model model, Authentication who, String page) {
        model.addAttribute("page", page);
        model.addAttribute("user", who == null ? "" : who.getName());
        model.addAttribute("operator", who != null && who.getAuthorities().stream()
                .anyMatch(a -> "ROLE_OPERATOR".equals(a.getAuthority())));
    }

    private void migrationsModel(Model model, Authentication who) {
        common(model, who, "migrations");
        List<MigrationView> views = migrations.list().stream().map(s -> new MigrationView(s,
                migrations.history(s.name()), migrations.lastVerify(s.name()).orElse(null), buttons(s))).toList();
        model.addAttribute("migrations", views);
        model.addAttribute("workflow", WORKFLOW);
    }

    static List<ActionButton> buttons(MigrationStatus status) {
        return status.phase().allowedActions().stream()
                .filter(a -> a != Action.PAUSE || !status.paused())
                .filter(a -> a != Action.RESUME || status.paused())
                .map(a -> new ActionButton(a.cliName(), "/api/migrations/" + status.name() + "/" + a.cliName(),
                        CONFIRM.contains(a) ? question(status.name(), a) : null))
                .toList();
    }

    private static String question(String migration, Action action) {
        return switch (action) {
            case CUTOVER -> "Cut over " + migration + "? Readers and writers switch to the new table.";
            case COMPLETE -> "Complete " + migration + "? The old table's mirror is removed; this cannot be rolled back.";
            case ROLLBACK -> "Roll back " + migration + "? The copied rows are discarded.";
            case REPAIR -> "Repair " + migration + "? The differing key ranges are copied again.";
            default -> null;
        };
    }

    private void jobsModel(Model model, Authentication who) {
        common(model, who, "jobs");
        Map<String, ScheduleView> byJob = schedules.describeByJob();
        List<JobView> views = jobs.jobNames().stream().sorted()
                .filter(name -> !"migration-backfill".equals(name)) // launched from the migrations page only
                .map(name -> {
                    List<org.springframework.batch.core.job.JobExecution> last = jobs.executions(name, 1);
                    return new JobView(name, jobs.isRunning(name), byJob.get(name),
                            last.isEmpty() ? null : ExecutionSummary.of(last.get(0)).forOperators(),
                            MaintenanceJobs.parameters(name));
                }).toList();
        model.addAttribute("jobs", views);
    }

    private void executionsModel(String job, String status, Model model, Authentication who) {
        common(model, who, "executions");
        String jobFilter = job == null || job.isBlank() ? null : job;
        String statusFilter = status == null || status.isBlank() ? null : status;
        List<ExecutionSummary> list = jobs.newestExecutions(jobFilter, statusFilter, LISTED).stream()
                .map(e -> ExecutionSummary.of(e).forOperators()).toList();
        model.addAttribute("executions", list);
        model.addAttribute("job", jobFilter);
        model.addAttribute("status", statusFilter);
        model.addAttribute("jobNames", jobs.jobNames().stream().sorted().toList());
        model.addAttribute("statuses", STATUSES);
    }

    private void executionModel(long id, Model model, Authentication who) {
        common(model, who, "executions");
        ExecutionSummary e = jobs.summary(id).forOperators();
        model.addAttribute("e", e);
        model.addAttribute("running", Set.of("STARTING", "STARTED").contains(e.status()));
        model.addAttribute("restartable", Set.of("FAILED", "STOPPED").contains(e.status()));
    }
}
