package dev.chatbatch.schema;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * Applies, inspects and rolls back the platform schema.
 *
 * <p>Flyway keeps its history in {@code chatbatch.flyway_schema_history}. A rollback runs
 * {@code U<n>__*.sql} newest first, each in one transaction together with the removal of its history
 * row, so Flyway's view of the schema never disagrees with the catalog.
 */
@ReadOnlyBean
@Service
public class SchemaService {

    public static final String HISTORY_TABLE = "flyway_schema_history";
    public static final String RUNNER_SCHEMA = "chatbatch";

    private final DataSource dataSource;
    private final TransactionTemplate transactions;

    public SchemaService(DataSource dataSource, TransactionTemplate transactions) {
        this.dataSource = dataSource;
        this.transactions = transactions;
    }

    /** Flyway on this data source. Shared with tests, which migrate template databases with it. */
    public static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .defaultSchema(RUNNER_SCHEMA)
                .schemas(RUNNER_SCHEMA)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .cleanDisabled(true)
                .validateMigrationNaming(true)
                .load();
    }

    public MigrateResult migrate() {
        return flyway(dataSource).migrate();
    }

    public List<MigrationInfo> info() {
        return Arrays.asList(flyway(dataSource).info().all());
    }

    /** The highest applied version, 0 when none. */
    public int currentVersion() {
        MigrationInfo current = flyway(dataSource).info().current();
        return current == null || current.getVersion() == null ? 0 : Integer.parseInt(current.getVersion().getVersion());
    }

    /**
     * Fails with a clear message unless the database holds exactly this version's migrations: none
     * pending, none edited since they were applied, none unknown to this version. Commands never run
     * on a half or foreign schema.
     */
    public void requireCurrent() {
        Flyway flyway = flyway(dataSource);
        MigrationInfo[] pending = flyway.info().pending();
        if (pending.length > 0) {
            throw new OperatorException(ExitCode.USAGE, "the database schema is at version " + currentVersion()
                    + " and " + pending.length + " migration(s) are pending (up to V" + pending[pending.length - 1].getVersion()
                    + "): run `chatbatch schema migrate` first");
        }
        ValidateResult validation = flyway.validateWithResult();
        if (!validation.validationSuccessful) {
            String problems = validation.invalidMigrations.stream()
                    .map(m -> "V" + m.version + ": " + m.errorDetails.errorMessage.lines().findFirst().orElse(""))
                    .collect(Collectors.joining("; "));
            throw new OperatorException(ExitCode.USAGE, "the database schema does not match this chatbatch version ("
                    + (problems.isEmpty() ? validation.getAllErrorMessages() : problems)
                    + "); see `chatbatch schema info`: a migration changed after it was applied, or the database was"
                    + " migrated by another chatbatch version");
        }
    }

    /**
     * Rolls back every applied migration above {@code targetVersion}, newest first. Below V2 (the
     * runner schema, which holds the modules' Flyway histories, and V1's auth.uid() their policies
     * use) it refuses while a module is applied, naming the command that removes it.
     *
     * @return the versions rolled back, in the order they were undone
     */
    public List<Integer> rollbackTo(int targetVersion, IntConsumer beforeEach) {
        if (targetVersion >= 0 && targetVersion < 2) {
            List<String> modules = new JdbcTemplate(dataSource).queryForList(
                    "select replace(substr(tablename, length(?) + 2), '_', '-') from pg_tables"
                            + " where schemaname = ? and tablename like ? order by 1",
                    String.class, HISTORY_TABLE, RUNNER_SCHEMA, HISTORY_TABLE + "\\_%");
            if (!modules.isEmpty()) {
                throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "cannot roll back below V2 while schema module(s) "
                        + String.join(", ", modules) + " are applied: run `chatbatch schema rollback --module NAME` for each first");
            }
        }
        return Rollbacks.run(dataSource, transactions, flyway(dataSource), Rollbacks.scripts("db/rollback/U*.sql"),
                RUNNER_SCHEMA + "." + HISTORY_TABLE, targetVersion, beforeEach, "sql/rollback/U");
    }
}
