package dev.chatbatch.api;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.mock.web.MockHttpServletRequest;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The last guard before a body leaves: an unexpected failure is a generic 500 with a reference to the
 * log (never its SQL, message or class), and an operator message that carries SQL from below loses it.
 */
class RestErrorsTest {

    private final RestErrors errors = new RestErrors();
    private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/jobs/x/executions");

    @Test
    void anUnexpectedFailureIsAGeneric500WithAReferenceAndNoSql() {
        var e = new BadSqlGrammarException("PreparedStatementCallback", "INSERT into chatbatch.BATCH_JOB_EXECUTION_PARAMS"
                + " (JOB_EXECUTION_ID, PARAMETER_NAME) values (?, ?)", new SQLException("ERROR: value too long", "22001"));
        ResponseEntity<ApiError> r = errors.unexpected(e, request);
        assertThat(r.getStatusCode().value()).isEqualTo(500);
        assertThat(r.getBody().error()).matches("internal error [0-9a-f]{8} at \\S+: the request failed unexpectedly;"
                + " the server log has the detail under this reference");
        assertThat(r.getBody().exitCode()).isEqualTo(ExitCode.JOB_FAILED.code());
    }

    @Test
    void operatorMessagesCarryingSqlLoseIt() {
        var wrapped = new OperatorException(ExitCode.JOB_FAILED, "job x could not start: PreparedStatementCallback;"
                + " SQL [INSERT into chatbatch.BATCH_JOB_EXECUTION_PARAMS values (?, ?)]; ERROR: value too long");
        ResponseEntity<ApiError> r = errors.operator(wrapped, request);
        assertThat(r.getStatusCode().value()).isEqualTo(500);
        assertThat(r.getBody().error()).isEqualTo("job x could not start: (SQL omitted)").doesNotContain("INSERT");

        var plpgsql = new OperatorException(ExitCode.USAGE, "bad mapping: ERROR: division by zero\n  Where: SQL statement"
                + " \"SELECT 1/0\"\nPL/pgSQL function f() line 1 at PERFORM");
        assertThat(errors.operator(plpgsql, request).getBody().error()).isEqualTo("bad mapping: ERROR: division by zero (SQL omitted)");

        var report = new OperatorException(ExitCode.DIFFERENCES, "verify found differences:\n  range 1..10: 3 rows differ");
        assertThat(errors.operator(report, request).getBody().error()).as("other line breaks are kept")
                .isEqualTo("verify found differences:\n  range 1..10: 3 rows differ");
    }

    @Test
    void aJobThatCannotStartSaysTheDatabaseMessage() {
        var e = new DataIntegrityViolationException("PreparedStatementCallback; SQL [INSERT into chatbatch.BATCH_JOB_EXECUTION_PARAMS]",
                new PSQLException("ERROR: value too long for type character varying(2500)", PSQLState.STRING_DATA_RIGHT_TRUNCATION));
        assertThat(dev.chatbatch.db.DatabaseErrors.describe(e))
                .isEqualTo("value too long for type character varying(2500) (SQLSTATE 22001)");
    }

    @Test
    void refusalsNameTheRestCallNotTheCliCommand() {
        var verifyFirst = new OperatorException(ExitCode.ILLEGAL_TRANSITION, "no verify is recorded: run `chatbatch migration verify"
                + " chat-messages-v2` first");
        assertThat(errors.operator(verifyFirst, request).getBody().error())
                .isEqualTo("no verify is recorded: run `POST /api/migrations/chat-messages-v2/verify` first");
        var running = new OperatorException(ExitCode.ALREADY_RUNNING, "stop it with `chatbatch stop <execution-id>` (see"
                + " `chatbatch executions usage-rollup`); resume with `chatbatch restart 42`, list with `chatbatch executions`");
        assertThat(errors.operator(running, request).getBody().error()).isEqualTo("stop it with `POST /api/executions/<execution-id>/stop`"
                + " (see `GET /api/executions?job=usage-rollup`); resume with `POST /api/executions/42/restart`, list with"
                + " `GET /api/executions`");
        var schema = new OperatorException(ExitCode.USAGE, "the schema is behind: run `chatbatch schema migrate` first");
        assertThat(errors.operator(schema, request).getBody().error())
                .as("no REST call does this: the CLI's command, said to be one").isEqualTo(
                        "the schema is behind: run `chatbatch schema migrate` (CLI) first");
    }
}
