package dev.chatbatch.api;

import dev.chatbatch.FieldException;
import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * {@code GET /api/executions[?job=&limit=]}, {@code GET /api/executions/{id}} (detail with step
 * progress), {@code POST /api/executions/{id}/stop} and {@code .../restart}, all through {@link JobRunner}.
 */
@RestController
@RequestMapping("/api/executions")
class RestExecutions {

    record StopRequested(long executionId, String message) {
    }

    private final JobRunner jobs;

    RestExecutions(JobRunner jobs) {
        this.jobs = jobs;
    }

    @GetMapping
    List<ExecutionSummary> list(@RequestParam(required = false) String job,
                                @RequestParam(defaultValue = "20") int limit) {
        if (limit < 1 || limit > JobRunner.MAX_LISTED) {
            throw new FieldException("limit", "limit is " + limit + ": use 1.." + JobRunner.MAX_LISTED);
        }
        return jobs.executions(job, limit).stream().map(ExecutionSummary::of).map(ExecutionSummary::forOperators).toList();
    }

    @GetMapping("/{id}")
    ExecutionSummary one(@PathVariable long id) {
        return ExecutionSummary.of(jobs.execution(id)).forOperators();
    }

    @PostMapping("/{id}/stop")
    ResponseEntity<StopRequested> stop(@PathVariable long id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new StopRequested(id, jobs.stop(id).message()));
    }

    @PostMapping("/{id}/restart")
    ResponseEntity<RestJobs.Accepted> restart(@PathVariable long id) {
        return RestJobs.Accepted.of(jobs.restartInBackground(id));
    }
}
