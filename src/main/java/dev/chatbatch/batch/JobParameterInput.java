package dev.chatbatch.batch;

import dev.chatbatch.FieldException;

import java.util.Map;

/**
 * The limits every job parameter given on the command line or over REST is held to, whatever the job,
 * before anything is stored: Spring Batch keeps each one in varchar columns (name 100, value 2,500
 * characters), and a value PostgreSQL cannot store fails the launch's INSERT after it was accepted.
 * The maintenance jobs check their own parameters more closely (ranges, kinds), with the same ceiling.
 */
public final class JobParameterInput {

    static final int MAX_PARAMETERS = 50;
    static final int MAX_NAME = 63;
    static final int MAX_VALUE = 2000;

    private JobParameterInput() {
    }

    /** The job a migration's own command launches, after checking the phase and recording who asked. */
    static final String BACKFILL_JOB = "migration-backfill";

    /**
     * Refuses a generic launch of the backfill: {@code migration backfill} checks the phase first and
     * records the actor itself, where a generic launch would let the caller write any actor into the
     * phase history.
     */
    public static void checkLaunchable(String job) {
        if (BACKFILL_JOB.equals(job)) {
            throw new FieldException("job", "job " + job + " is launched by its migration: `chatbatch migration backfill"
                    + " <name>` or POST /api/migrations/{name}/backfill (which check the phase and record who asked)");
        }
    }

    /** Refuses (exit 2 / HTTP 400 naming the parameter) a map that breaks a limit; returns it otherwise. */
    public static Map<String, String> check(Map<String, String> parameters) {
        if (parameters.size() > MAX_PARAMETERS) {
            throw new FieldException("body", parameters.size() + " parameters given; a launch takes at most "
                    + MAX_PARAMETERS);
        }
        parameters.forEach((key, value) -> {
            if (key.length() > MAX_NAME) {
                throw new FieldException(key.substring(0, 40), "the parameter name starting '" + key.substring(0, 40)
                        + "' is " + key.length() + " characters long; a name is at most " + MAX_NAME + " characters");
            }
            if (key.equals(JobRunner.RUN_AT)) {
                throw new FieldException(key, "parameter " + key + " is set by the runner for every launch; leave it out");
            }
            if (value != null && value.length() > MAX_VALUE) {
                throw new FieldException(key, "parameter " + key + " is " + value.length()
                        + " characters long; a job parameter value is at most " + MAX_VALUE + " characters");
            }
            if (value != null && value.indexOf('\0') >= 0) {
                throw new FieldException(key, "parameter " + key + " contains a NUL character, which PostgreSQL"
                        + " cannot store in text; remove it");
            }
        });
        return parameters;
    }
}
