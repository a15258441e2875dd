package dev.chatbatch.ops;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

/** A 400 about one named field of a request (query parameter, path variable or body key). */
final class ApiFieldException extends OperatorException {

    private final String field;

    ApiFieldException(String field, String message) {
        super(ExitCode.USAGE, message);
        this.field = field;
    }

    String field() {
        return field;
    }
}
