package dev.chatbatch.batch;

import java.util.Map;

/**
 * Default parameters of a job, merged by {@link JobRunner} under the parameters given at launch, so
 * every launcher (CLI, REST, Quartz) runs a job with the same effective parameters and the job
 * repository records all of them. The maintenance jobs take theirs from {@code jobs/maintenance.yml}.
 */
public interface JobParameterDefaults {

    /**
     * The defaults of {@code jobName} (empty when this provider does not know the job). May throw an
     * {@link dev.chatbatch.OperatorException} when the configuration behind them is invalid.
     */
    Map<String, String> defaults(String jobName);
}
