package dev.chatbatch.api;

import dev.chatbatch.batch.JobParameterInput;
import dev.chatbatch.FieldException;
import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.schedule.ScheduleView;
import dev.chatbatch.schedule.ScheduleViews;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/jobs}, {@code GET /api/jobs/{job}}: every Spring Batch job with its schedule (null when
 * {@code jobs/maintenance.yml} has none),
 * whether it runs (anywhere), its newest execution and its newest successful one.
 * {@code POST /api/jobs/{job}/executions}: launch through {@link JobRunner} with a JSON object of
 * string parameters; 202 with the execution id and {@code Location: /api/executions/{id}}.
 */
@RestController
@RequestMapping("/api/jobs")
class RestJobs {

    record JobView(String name, boolean running, ScheduleView schedule,
                   ExecutionSummary lastExecution, ExecutionSummary lastSuccess) {
    }

    /** What a launch or restart answers: the new execution's id, its status now, and where to watch it. */
    record Accepted(long executionId, String job, String status, String location) {
        static ResponseEntity<Accepted> of(JobExecution execution) {
            String location = "/api/executions/" + execution.getId();
            return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create(location))
                    .body(new Accepted(execution.getId(), execution.getJobInstance().getJobName(),
                            execution.getStatus().name(), location));
        }
    }

    private static final int HISTORY = 50;

    private final JobRunner jobs;
    private final ScheduleViews schedules;

    RestJobs(JobRunner jobs, ScheduleViews schedules) {
        this.jobs = jobs;
        this.schedules = schedules;
    }

    @GetMapping
    List<JobView> list() {
        Map<String, ScheduleView> byJob = schedules.describeByJob();
        return jobs.jobNames().stream().map(name -> view(name, byJob)).toList();
    }

    @GetMapping("/{job}")
    JobView one(@PathVariable String job) {
        return view(jobs.job(job).getName(), schedules.describeByJob());
    }

    @PostMapping("/{job}/executions")
    ResponseEntity<Accepted> launch(@PathVariable String job,
                                    @RequestBody(required = false) Map<String, Object> body,
                                    HttpServletRequest request) {
        jobs.job(job); // 404 before looking at the body
        JobParameterInput.checkLaunchable(job, jobs.jobNames());
        if (body == null && hasContent(request)) {
            // a JSON null (or whitespace) reads as no body at all: refused, or it would launch with the defaults
            throw new FieldException("body", "the request body is JSON null: send a JSON object of parameters,"
                    + " {} for the defaults, or no body at all");
        }
        return Accepted.of(jobs.launch(job, JobParameterInput.check(parameters(body))));
    }

    private static boolean hasContent(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    private JobView view(String name, Map<String, ScheduleView> byJob) {
        List<JobExecution> recent = jobs.executions(name, HISTORY);
        ExecutionSummary last = recent.isEmpty() ? null : ExecutionSummary.of(recent.get(0)).forOperators();
        ExecutionSummary success = recent.stream()
                .filter(e -> "COMPLETED".equals(e.getStatus().name()))
                .findFirst().map(ExecutionSummary::of).map(ExecutionSummary::forOperators).orElse(null);
        return new JobView(name, jobs.isRunning(name), byJob.get(name), last, success);
    }

    /** Strings, numbers and booleans are taken as their text; objects, arrays and null are refused by name. */
    static Map<String, String> parameters(Map<String, Object> body) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (body == null) {
            return parameters;
        }
        body.forEach((key, value) -> {
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                parameters.put(key, String.valueOf(value));
            } else {
                throw new FieldException(key, "parameter '" + key + "' must be a string (got "
                        + (value == null ? "null" : value instanceof Map ? "an object" : "an array") + ")");
            }
        });
        return parameters;
    }
}
