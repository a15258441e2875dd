package dev.chatbatch.api;

import dev.chatbatch.FieldException;
import dev.chatbatch.ExitCode;
import dev.chatbatch.NotFoundException;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The ONE place where refusals become HTTP statuses, from the same {@link ExitCode} the CLI exits with:
 * <table>
 *   <tr><td>USAGE (2)</td><td>400, or 404 for {@link NotFoundException}</td></tr>
 *   <tr><td>ILLEGAL_TRANSITION (4)</td><td>409</td></tr>
 *   <tr><td>ALREADY_RUNNING (5)</td><td>409</td></tr>
 *   <tr><td>DIFFERENCES (3)</td><td>409: the action (verify) found differences and the phase did not
 *       advance; the body's {@code error} carries the report</td></tr>
 *   <tr><td>JOB_FAILED (1)</td><td>500</td></tr>
 * </table>
 * Every body is an {@link ApiError}; {@code exitCode} tells the cases of one status apart.
 */
@RestControllerAdvice(basePackageClasses = RestErrors.class)
class RestErrors {

    private static final Logger log = LoggerFactory.getLogger(RestErrors.class);

    /** A CLI command a message suggests, and the REST call that does the same (the services speak the CLI's words). */
    private static final List<Map.Entry<Pattern, String>> REST_CALLS = List.of(
            Map.entry(Pattern.compile("`chatbatch migration status ([^`\\s]+)`"), "`GET /api/migrations/$1`"),
            Map.entry(Pattern.compile("`chatbatch migration ([a-z]+) ([^`\\s]+)`"), "`POST /api/migrations/$2/$1`"),
            Map.entry(Pattern.compile("`chatbatch (stop|restart) ([^`\\s]+)`"), "`POST /api/executions/$2/$1`"),
            Map.entry(Pattern.compile("`chatbatch executions ([^`\\s]+)`"), "`GET /api/executions?job=$1`"),
            Map.entry(Pattern.compile("`chatbatch executions`"), "`GET /api/executions`"),
            Map.entry(Pattern.compile("`chatbatch launch ([^`\\s]+)`"), "`POST /api/jobs/$1/executions`"));

    static HttpStatus status(OperatorException e) {
        if (e instanceof NotFoundException) {
            return HttpStatus.NOT_FOUND;
        }
        return switch (e.exitCode()) {
            case USAGE -> HttpStatus.BAD_REQUEST;
            case ILLEGAL_TRANSITION, ALREADY_RUNNING, DIFFERENCES -> HttpStatus.CONFLICT;
            case JOB_FAILED, OK -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }

    @ExceptionHandler(OperatorException.class)
    ResponseEntity<ApiError> operator(OperatorException e, HttpServletRequest request) {
        HttpStatus status = status(e);
        String field = e instanceof FieldException f ? f.field() : null;
        return body(status, inRestTerms(DatabaseErrors.withoutSql(e.getMessage())), request, field, e.exitCode().code());
    }

    /**
     * {@code message} with each CLI command it suggests replaced by the REST call that does the same; commands the
     * API has no call for ({@code schema …}) stay, marked as the CLI's.
     */
    static String inRestTerms(String message) {
        if (message == null) {
            return null;
        }
        String rest = message;
        for (Map.Entry<Pattern, String> call : REST_CALLS) {
            rest = call.getKey().matcher(rest).replaceAll(call.getValue());
        }
        return rest.replaceAll("(`chatbatch [^`]+`)", "$1 (CLI)");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiError> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        String expected = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName().toLowerCase();
        return body(HttpStatus.BAD_REQUEST, e.getName() + " is '" + e.getValue() + "': expected " + expected
                + ("long".equals(expected) || "int".equals(expected) ? " (a whole number)" : ""), request, e.getName(),
                ExitCode.USAGE.code());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ApiError> missingParameter(MissingServletRequestParameterException e, HttpServletRequest request) {
        return body(HttpStatus.BAD_REQUEST, "query parameter " + e.getParameterName() + " is required", request,
                e.getParameterName(), ExitCode.USAGE.code());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ApiError> unreadable(HttpMessageNotReadableException e, HttpServletRequest request) {
        // Jackson's own messages name Java types ("LinkedHashMap<String,Object>"): say it in JSON terms
        Throwable cause = e.getMostSpecificCause();
        String why;
        if (cause instanceof MismatchedInputException m && String.valueOf(m.getOriginalMessage()).startsWith("No content")) {
            why = "it is empty or whitespace; send a JSON object of parameters, {} for the defaults, or no body at all";
        } else if (cause instanceof MismatchedInputException) {
            why = "it is JSON, but not an object (an array, string, number or boolean)";
        } else if (cause instanceof JacksonException j) {
            why = DatabaseErrors.clean(String.valueOf(j.getOriginalMessage()))
                    + (j.getLocation() == null ? "" : " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr());
        } else {
            why = "it could not be read";
        }
        return body(HttpStatus.BAD_REQUEST, "request body is not a JSON object of string parameters"
                + " (e.g. {\"dry-run\": \"true\"}): " + why, request, "body", ExitCode.USAGE.code());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return body(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json (got " + e.getContentType() + ")",
                request, "Content-Type", ExitCode.USAGE.code());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiError> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        return body(HttpStatus.METHOD_NOT_ALLOWED, request.getMethod() + " is not supported here; use "
                + String.join(" or ", e.getSupportedMethods() == null ? new String[0] : e.getSupportedMethods()),
                request, null, ExitCode.USAGE.code());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ApiError> noResource(NoResourceFoundException e, HttpServletRequest request) {
        return body(HttpStatus.NOT_FOUND, "no such API resource: " + request.getRequestURI()
                + " (see /api/openapi.json)", request, null, ExitCode.USAGE.code());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> unexpected(Exception e, HttpServletRequest request) {
        // a refusal wrapped on its way (CompletionException from a background start, Spring wrappers)
        OperatorException wrapped = OperatorException.findIn(e);
        if (wrapped != null) {
            return operator(wrapped, request);
        }
        // the detail (SQL, stack trace) goes to the log only; the caller gets a reference to find it there
        String reference = UUID.randomUUID().toString().substring(0, 8);
        log.error("internal error {} on {} {}", reference, request.getMethod(), request.getRequestURI(), e);
        String what = DatabaseErrors.connectionLost(e) ? "the database connection was lost; try again when it is back"
                : "the request failed unexpectedly";
        return body(HttpStatus.INTERNAL_SERVER_ERROR, "internal error " + reference + " at " + Instant.now() + ": " + what
                + "; the server log has the detail under this reference", request, null, ExitCode.JOB_FAILED.code());
    }

    private static ResponseEntity<ApiError> body(HttpStatus status, String message, HttpServletRequest request,
                                                 String field, Integer exitCode) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(new ApiError(message, status.value(), request.getRequestURI(), field, exitCode));
    }
}
