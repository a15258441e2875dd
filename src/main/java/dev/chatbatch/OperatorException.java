package dev.chatbatch;

/**
 * A refusal meant for the operator: the message says what was wrong and how to fix it, and is
 * printed as is (no stack trace). Every capability throws this for bad input, bad configuration,
 * illegal phase transitions and "already running"; the CLI turns it into an exit code and the REST
 * API into an HTTP status.
 */
public class OperatorException extends RuntimeException {

    private final ExitCode exitCode;

    public OperatorException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public OperatorException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static OperatorException usage(String message) {
        return new OperatorException(ExitCode.USAGE, message);
    }

    /**
     * The refusal somewhere in {@code e}'s cause chain, or null: Spring wraps exceptions thrown while beans
     * start, and a background start wraps them in a CompletionException.
     */
    public static OperatorException findIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OperatorException operator) {
                return operator;
            }
        }
        return null;
    }
}
