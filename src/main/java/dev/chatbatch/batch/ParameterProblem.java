package dev.chatbatch.batch;

import org.springframework.batch.core.job.parameters.InvalidJobParametersException;

/**
 * A job parameter a job's validator refused, naming the parameter: {@link JobRunner} turns it into a
 * refusal that names the field, so the REST API's 400 carries {@code field} (the console shows the
 * message next to that field).
 */
public class ParameterProblem extends InvalidJobParametersException {

    private final String parameter;

    public ParameterProblem(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
