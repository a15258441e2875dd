package dev.chatbatch.config;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

/**
 * A configuration file refused for one of its fields: the message is {@code file: field: reason}
 * ({@code file: reason} when the whole file is wrong) and the exit code 2, so the operator knows which
 * line of which file to fix. Both YAML loaders throw it: the migration specs in {@code jobs/} and
 * {@code jobs/maintenance.yml}.
 */
public class ConfigFileException extends OperatorException {

    private final String file;
    private final String field;
    private final String reason;

    /**
     * @param file   the file as the operator named it (or as found in the jobs directory)
     * @param field  the field's path in the file ({@code timeouts.lock_timeout}, {@code jobs.vacuum-analyze.cron}),
     *               null when the file as a whole is refused
     * @param reason what is wrong and what would be right
     */
    public ConfigFileException(String file, String field, String reason) {
        super(ExitCode.USAGE, file + ": " + (field == null ? "" : field + ": ") + reason);
        this.file = file;
        this.field = field;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    /** Null when the file as a whole is refused. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
