package dev.chatbatch;

/**
 * A usage refusal (exit 2) about one named field of the input: a query parameter, path variable, body key
 * or job parameter. The REST API names the field in its 400; the command line prints the message.
 */
public final class FieldException extends OperatorException {

    private final String field;

    public FieldException(String field, String message) {
        super(ExitCode.USAGE, message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
