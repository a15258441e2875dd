package dev.chatbatch.schema;

import dev.chatbatch.OperatorException;
import dev.chatbatch.db.SqlScript;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.List;
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

    /** Runs the seed scripts in order, each in one transaction; {@code beforeScript} gets each script's name first. */
    public void seed(Request request, Consumer<String> beforeScript) {
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
}
