package dev.chatbatch.api;

import dev.chatbatch.FieldException;
import dev.chatbatch.NotFoundException;
import dev.chatbatch.migration.Action;
import dev.chatbatch.migration.MigrationOperations;
import dev.chatbatch.migration.MigrationPlan;
import dev.chatbatch.migration.MigrationPlanner;
import dev.chatbatch.migration.MigrationStatus;
import dev.chatbatch.migration.MigrationStatusService;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * {@code GET /api/migrations[/{name}]}: phase and progress from the persisted bookkeeping.
 * {@code GET /api/migrations/{name}/plan}: what start and the backfill would do, changing nothing.
 * {@code POST /api/migrations/{name}/{action}}: a phase action as the authenticated caller ("api:&lt;name&gt;"
 * in the phase history). {@code backfill} launches the job {@code migration-backfill} in the background
 * and answers 202 like a job launch; every other action runs now and answers 200 with what it did.
 */
@RestController
@RequestMapping("/api/migrations")
class RestMigrations {

    private final MigrationStatusService status;
    private final MigrationOperations operations;
    private final MigrationPlanner planner;

    RestMigrations(MigrationStatusService status, MigrationOperations operations, MigrationPlanner planner) {
        this.status = status;
        this.operations = operations;
        this.planner = planner;
    }

    /** Every spec file is checked first, as by {@code migration list}: a bad one is a 400 naming file and key. */
    @GetMapping
    List<MigrationStatus> list() {
        status.checkSpecs();
        return status.list();
    }

    @GetMapping("/{name}")
    MigrationStatus one(@PathVariable String name) {
        status.checkSpecs();
        return status.status(name);
    }

    /** What start and the backfill would do, changing nothing (as {@code migration plan --json}). */
    @GetMapping("/{name}/plan")
    MigrationPlan plan(@PathVariable String name) {
        return planner.plan(name);
    }

    @PostMapping("/{name}/{action}")
    ResponseEntity<?> act(@PathVariable String name, @PathVariable String action, Authentication caller) {
        status.status(name); // 404 for an unknown migration before anything else
        Action known;
        try {
            known = Action.parse(action);
        } catch (NotFoundException e) {
            // the migration exists (checked above): a wrong action is bad input in the path, not a missing resource
            throw new FieldException("action", e.getMessage());
        }
        String actor = "api:" + (caller == null ? "unknown" : caller.getName());
        if (known == Action.BACKFILL) {
            return RestJobs.Accepted.of(operations.launchBackfill(name, actor));
        }
        return ResponseEntity.ok(operations.perform(name, known, actor));
    }
}
