package dev.chatbatch.maintenance;

import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.batch.ParameterProblem;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersValidator;

/**
 * Refuses a launch whose parameters are unknown, malformed, missing or name tables/views that do not
 * exist; the message names the parameter (JobRunner turns it into exit 2 / HTTP 400).
 */
class ParametersValidator implements JobParametersValidator {

    private final String job;
    private final Catalog catalog;

    ParametersValidator(String job, Catalog catalog) {
        this.job = job;
        this.catalog = catalog;
    }

    @Override
    public void validate(JobParameters parameters) throws InvalidJobParametersException {
        for (JobParameter<?> p : parameters) {
            if (p.name().equals(JobRunner.RUN_AT)) {
                continue;
            }
            String value = p.value() == null ? null : String.valueOf(p.value());
            String problem = ParameterRules.problem(job, p.name(), value);
            ParameterRules.Kind kind = ParameterRules.kind(job, p.name());
            if (problem == null && (kind == ParameterRules.Kind.TABLES || kind == ParameterRules.Kind.VIEWS
                    || kind == ParameterRules.Kind.SOURCE)) {
                problem = catalog.problem(kind, value);
            }
            if (problem != null) {
                throw new ParameterProblem(p.name(), "parameter " + p.name() + ": " + problem);
            }
        }
        for (String key : ParameterRules.of(job).keySet()) {
            if (!key.equals(ParameterRules.TRIGGER) && !key.equals(ParameterRules.DRY_RUN) && parameters.getParameter(key) == null) {
                throw new ParameterProblem(key, "parameter " + key + " is missing: expected "
                        + ParameterRules.kind(job, key).expected);
            }
        }
    }
}
