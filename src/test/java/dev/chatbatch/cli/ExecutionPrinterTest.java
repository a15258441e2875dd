package dev.chatbatch.cli;

import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.batch.ExecutionSummary;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How stored exit descriptions (Spring Batch keeps a failure's stack trace, cut at 2,500 characters)
 * reach the operator: the first line without class name or SQL, the root cause only when it adds
 * something, and "resume it with restart" only when the failure does not say otherwise.
 */
class ExecutionPrinterTest {

    static final String SPRING_FAILURE = """
            org.springframework.jdbc.UncategorizedSQLException: PreparedStatementCallback; uncategorized SQLException for SQL [-- 2. upsert
            INSERT INTO public.usage_metrics AS u (tenant_id, user_id, date, message_count, token_count, cost_usd)
            SELECT n.tenant_id FROM usage_rollup_day n]; SQL state [P0001]; error code [0]; ERROR: read-only
            \tat org.springframework.jdbc.support.SQLStateSQLExceptionTranslator.doTranslate(SQLStateSQLExceptionTranslator.java:110)
            Caused by: org.postgresql.util.PSQLException: ERROR: usage_metrics is read-only
              Where: PL/pgSQL function test_readonly() line 1 at RAISE
            \tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2733)
            """;

    static final String OUR_FAILURE = "dev.chatbatch.maintenance.StepFailure: step session-retention failed: the chunk after"
            + " key (start) failed and was rolled back (the chunks before it are committed): canceling statement due to lock"
            + " timeout (SQLSTATE 55P03). Another transaction held a lock longer than lock-timeout allows; when it has ended,"
            + " resume with `chatbatch restart 7` (or raise lock-timeout in a new launch)\n\tat dev.chatbatch.maintenance."
            + "KeysetTasklet.execute(KeysetTasklet.java:91)\nCaused by: org.springframework.dao.CannotAcquireLockException:"
            + " PreparedStatementCallback; SQL [DELETE FROM x]\n" + "\tat a.b.C.d(C.java:1)\n".repeat(120)
            + "Caused by: org.postgresql.util.PSQLException: ERROR: canceling statement due to lo";

    @Test
    void aSpringFailureShowsItsRootCauseWithoutSqlOrClassNames() {
        String line = DatabaseErrors.firstLine(SPRING_FAILURE);
        assertThat(line).isEqualTo("usage_metrics is read-only")
                .doesNotContain("SQL").doesNotContain("org.").doesNotContain("INSERT");
    }

    @Test
    void ourFailureIsShownAsItIsWithOneRestartHint() {
        String stored = OUR_FAILURE.substring(0, Math.min(2500, OUR_FAILURE.length()));
        assertThat(DatabaseErrors.firstLine(stored)).startsWith("step session-retention failed: the chunk after key (start)")
                .endsWith("(or raise lock-timeout in a new launch)").doesNotContain("StepFailure").doesNotContain("cause:");
        String out = print(summary("FAILED", stored));
        assertThat(out.lines().filter(l -> l.contains("restart")).count()).as(out).isEqualTo(1);
        assertThat(out).doesNotContain("resume it with");
    }

    @Test
    void aDefectIsNotGivenARestartHintAndAStopIs() {
        String defect = "dev.chatbatch.maintenance.StepFailure: step x failed: syntax error at or near \"SELEC\" (SQLSTATE 42601)."
                + " This is a defect of chatbatch, not of the data, and a restart would fail the same way: report it";
        assertThat(print(summary("FAILED", defect))).doesNotContain("chatbatch restart");
        assertThat(print(summary("STOPPED", null))).contains("resume it with `chatbatch restart 7`");
        assertThat(print(summary("FAILED", "java.lang.IllegalStateException: test-fails always fails")))
                .contains("test-fails always fails").doesNotContain("java.").contains("resume it with `chatbatch restart 7`");
    }

    @Test
    void anUnknownOutcomeIsLaunchedAgainNotRestarted() {
        String out = print(summary("UNKNOWN", "org.springframework.transaction.TransactionSystemException: JDBC rollback failed"));
        assertThat(out).contains("launch it again with `chatbatch launch session-retention`").doesNotContain("chatbatch restart");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var lost = new org.springframework.transaction.TransactionSystemException("JDBC rollback failed",
                new java.sql.SQLException("Connection is closed"));
        ExecutionPrinter.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                summary("UNKNOWN", "org.springframework.transaction.TransactionSystemException: JDBC rollback failed"), List.of(lost));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(lines.size() - 2)).as("the cause before what to do")
                .isEqualTo("  the database connection was lost (Connection is closed; server restart, failover, network or terminated session)");
    }

    private static ExecutionSummary summary(String status, String description) {
        return new ExecutionSummary(7, "session-retention", status, status, description, Instant.now(), Instant.now(), 1.0,
                Map.of(), 0, List.of(new ExecutionSummary.Step("session-retention", status, 0, 0, 0, 0, 1, description)));
    }

    private static String print(ExecutionSummary s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ExecutionPrinter.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8), s);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
