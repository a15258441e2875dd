package dev.chatbatch.batch;

import dev.chatbatch.FieldException;

import java.util.Collection;
import java.util.List;
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
    public static final String BACKFILL_JOB = "migration-backfill";

    /** Parameters the runner sets itself (the launch's instance, the scheduler's fire time): never taken from input. */
    static final List<String> INTERNAL_PARAMETERS = List.of(JobRunner.RUN_AT, "trigger");

    /**
     * Refuses a generic launch of an internal job: {@code migration backfill} checks the phase first and
     * records the actor itself, where a generic launch would skip the phase checks and let the caller write
     * any actor into the phase history. The message lists the jobs that can be launched.
     */
    public static void checkLaunchable(String job, Collection<String> jobNames) {
        if (BACKFILL_JOB.equals(job)) {
            throw new FieldException("job", "job " + job + " is internal and cannot be launched: it runs through its"
                    + " migration, `chatbatch migration backfill <name>` or POST /api/migrations/{name}/backfill (which"
                    + " check the phase and record who asked). Launchable jobs: " + String.join(", ", launchable(jobNames)));
        }
    }

    /** The jobs a generic launch accepts, sorted. */
    public static List<String> launchable(Collection<String> jobNames) {
        return jobNames.stream().filter(j -> !BACKFILL_JOB.equals(j)).sorted().toList();
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
            if (INTERNAL_PARAMETERS.contains(key)) {
                throw new FieldException(key, "parameter " + key + " is set by the runner (" + String.join(", ",
                        INTERNAL_PARAMETERS) + " are its own), not by a launch; leave it out");
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
