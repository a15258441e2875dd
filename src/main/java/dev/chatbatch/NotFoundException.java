package dev.chatbatch;

/**
 * An unknown job, execution, migration or other named thing. Exit code 2 on the CLI, 404 on the REST
 * API. The message names what was asked for and what exists.
 */
public class NotFoundException extends OperatorException {

    public NotFoundException(String message) {
        super(ExitCode.USAGE, message);
    }
}
