package dev.chatbatch;

/**
 * Process exit codes of the CLI (SPEC §7). The REST API maps the same codes to HTTP statuses, so a
 * refusal reads the same from both interfaces.
 */
public enum ExitCode {
    OK(0),
    JOB_FAILED(1),
    USAGE(2),
    DIFFERENCES(3),
    ILLEGAL_TRANSITION(4),
    ALREADY_RUNNING(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
