package dev.chatbatch.schema;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

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
    private static final String UNDEFINED_TABLE = "42P01";

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
     * pending, none failed, none edited since they were applied, none unknown to this version (older or
     * newer). Commands never run on a half or foreign schema. {@link #requireCurrentFromHistory()} is the
     * same check without Flyway.
     */
    public void requireCurrent() {
        Flyway flyway = flyway(dataSource);
        MigrationInfoService info = flyway.info();
        MigrationInfo[] pending = info.pending();
        if (pending.length > 0) {
            MigrationInfo current = info.current();
            throw pendingError(current == null || current.getVersion() == null ? "0" : current.getVersion().getVersion(),
                    pending.length, pending[pending.length - 1].getVersion().getVersion());
        }
        ValidateResult validation = flyway.validateWithResult();
        List<String> problems = new ArrayList<>();
        if (!validation.validationSuccessful) {
            validation.invalidMigrations.forEach(m -> problems.add("V" + m.version + ": "
                    + m.errorDetails.errorMessage.lines().findFirst().orElse("")));
            if (problems.isEmpty()) {
                problems.add(validation.getAllErrorMessages());
            }
        }
        // Flyway's validate passes migrations newer than this build's by default (ignoreMigrationPatterns *:future)
        String newest = Arrays.stream(info.all()).filter(i -> i.getState().isResolved() && i.getVersion() != null)
                .map(MigrationInfo::getVersion).max(Comparator.naturalOrder()).map(MigrationVersion::getVersion).orElse("0");
        Arrays.stream(info.all())
                .filter(i -> i.getState() == MigrationState.FUTURE_SUCCESS || i.getState() == MigrationState.FUTURE_FAILED)
                .forEach(i -> problems.add("V" + i.getVersion().getVersion() + ": " + newerProblem(newest)));
        if (!problems.isEmpty()) {
            throw mismatchError(problems);
        }
    }

    /**
     * {@link #requireCurrent()} without Flyway, for the read-only commands (Flyway's scan, checksums and
     * classes cost more than the rest of such a command's start): this build's scripts and their
     * checksums ({@link MigrationScripts}) against the history table, read in one query. Same refusals,
     * same messages; a test holds the two equal.
     */
    public void requireCurrentFromHistory() {
        HistoryCheck.Verdict verdict = HistoryCheck.compare(MigrationScripts.platform(), history());
        if (verdict.pending() > 0) {
            throw pendingError(verdict.current(), verdict.pending(), verdict.lastPending());
        }
        if (!verdict.problems().isEmpty()) {
            throw mismatchError(verdict.problems());
        }
    }

    /** The platform's history rows that carry a version, oldest first; none when the table does not exist yet. */
    private List<HistoryCheck.Row> history() {
        try {
            return new JdbcTemplate(dataSource).query("""
                    select version, description, type, checksum, success
                      from %s.%s
                     where version is not null
                     order by installed_rank
                    """.formatted(RUNNER_SCHEMA, HISTORY_TABLE), (rs, n) -> new HistoryCheck.Row(
                    rs.getString("version"), rs.getString("description"), rs.getString("type"),
                    (Integer) rs.getObject("checksum"), rs.getBoolean("success")));
        } catch (BadSqlGrammarException e) {
            if (UNDEFINED_TABLE.equals(DatabaseErrors.sqlState(e))) {
                return List.of();
            }
            throw e;
        }
    }

    static OperatorException pendingError(String current, int pending, String lastPending) {
        return new OperatorException(ExitCode.USAGE, "the database schema is at version " + current + " and " + pending
                + " migration(s) are pending (up to V" + lastPending + "): run `chatbatch schema migrate` first");
    }

    static OperatorException mismatchError(List<String> problems) {
        return new OperatorException(ExitCode.USAGE, "the database schema does not match this chatbatch version ("
                + String.join("; ", problems) + "); see `chatbatch schema info`: a migration changed after it was applied,"
                + " or the database was migrated by another chatbatch version");
    }

    /** A version in the database above every migration of this build. */
    static String newerProblem(String newest) {
        return "applied to the database by a newer chatbatch version (this one has migrations up to V" + newest + ")";
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
