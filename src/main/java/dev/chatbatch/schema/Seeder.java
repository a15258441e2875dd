package dev.chatbatch.schema;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.SqlScript;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Generates demo and test data with the set-based SQL in {@code seed/*.sql}: the platform (tenants,
 * users, conversations, agents), clean v1 messages, and dirty rows of every kind the migration must
 * handle. Each file runs in its own transaction.
 */
@Service
public class Seeder {

    /** Seed files in the order they run. */
    static final List<String> FILES = List.of("seed/seed-platform.sql", "seed/seed-messages.sql",
            "seed/seed-maintenance.sql");

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public Seeder(DataSource dataSource, TransactionTemplate transactions) {
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.transactions = transactions;
    }

    public record Request(long rows, long badRows, long conversations) {
        public Request {
            if (rows < 0 || badRows < 0) {
                throw OperatorException.usage("--rows and --bad-rows must be 0 or more");
            }
            if (conversations < 1) {
                throw OperatorException.usage("--conversations must be at least 1");
            }
        }

        /** Default conversations for a number of rows: about 50 messages per conversation. */
        public static long defaultConversations(long rows) {
            return Math.max(10, rows / 50);
        }
    }

    /** What {@code public.chat_messages} is: a table (r, p), a view (v) after complete left the compatibility view, or null. */
    private static final String V1_KIND = """
            SELECT (SELECT relkind::text FROM pg_catalog.pg_class WHERE oid = to_regclass('public.chat_messages')) AS v1,
                   to_regclass('archive.chat_messages') IS NOT NULL AS archived
            """;

    /**
     * Runs the seed scripts in order, each in one transaction; {@code beforeScript} gets each script's name first.
     * Refuses (exit 4, nothing written) once a completed migration archived v1: the seed writes v1 rows, legacy
     * dirt included, for the migration to carry over, and after complete nothing reads v1 any more.
     */
    public void seed(Request request, Consumer<String> beforeScript) {
        requireV1Table();
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("rows", request.rows())
                .addValue("bad_rows", request.badRows())
                .addValue("conversations", request.conversations());
        for (String file : FILES) {
            beforeScript.accept(file);
            SqlScript script = SqlScript.load(file);
            transactions.executeWithoutResult(status -> script.statements().forEach(sql -> jdbc.execute(sql, params, ps -> ps.execute())));
        }
    }

    private void requireV1Table() {
        Map<String, Object> v1 = jdbc.getJdbcTemplate().queryForMap(V1_KIND);
        String kind = (String) v1.get("v1");
        if ("r".equals(kind) || "p".equals(kind)) {
            return;
        }
        boolean archived = Boolean.TRUE.equals(v1.get("archived"));
        throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "seed writes v1 messages into public.chat_messages for the"
                + " v1 → v2 migration to carry over, but " + (kind == null ? "there is no such table" : "it is a view now")
                + (archived ? ": a completed migration moved v1 to archive.chat_messages, and the application uses"
                + " public.chat_messages_v2. Seeding now would write messages nothing reads" : "")
                + ". Nothing was written. Seed a database the migration has not completed on: a new one (for a trial,"
                + " `chatbatch demo`, or a new --chatbatch.embedded.data-dir=DIR)");
    }
}
