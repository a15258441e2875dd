package dev.chatbatch.schema;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.SqlScript;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Applies, inspects and rolls back the platform schema.
 *
 * <p>Flyway keeps its history in {@code chatbatch.flyway_schema_history}. A rollback runs
 * {@code U<n>__*.sql} newest first, each in one transaction together with the removal of its history
 * row, so Flyway's view of the schema never disagrees with the catalog.
 */
@Service
public class SchemaService {

    public static final String HISTORY_TABLE = "flyway_schema_history";
    public static final String RUNNER_SCHEMA = "chatbatch";
    private static final Pattern ROLLBACK_NAME = Pattern.compile("U(\\d+)__.+\\.sql");

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
     * Rolls back every applied migration above {@code targetVersion}, newest first.
     *
     * @return the versions rolled back, in the order they were undone
     */
    public List<Integer> rollbackTo(int targetVersion, IntConsumer beforeEach) {
        if (targetVersion < 0) {
            throw OperatorException.usage("--to must be 0 or a migration version, not " + targetVersion);
        }
        Map<Integer, Resource> scripts = rollbackScripts();
        List<Integer> applied = Arrays.stream(flyway(dataSource).info().applied())
                .filter(i -> i.getVersion() != null && i.getType() != null && i.getType().name().equals("SQL"))
                .map(i -> Integer.parseInt(i.getVersion().getVersion()))
                .filter(v -> v > targetVersion)
                .sorted(Comparator.reverseOrder())
                .toList();
        for (int version : applied) {
            if (!scripts.containsKey(version)) {
                throw OperatorException.usage("no rollback script for V" + version + ": expected sql/rollback/U"
                        + version + "__<name>.sql; nothing was rolled back past V" + version);
            }
        }
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        for (int version : applied) {
            beforeEach.accept(version);
            List<String> statements = SqlScript.split(read(scripts.get(version)));
            transactions.executeWithoutResult(status -> {
                // Rollback scripts are written for public, like the migrations they undo.
                jdbc.execute("set local search_path = public");
                statements.forEach(jdbc::execute);
                jdbc.update("delete from " + RUNNER_SCHEMA + "." + HISTORY_TABLE + " where version = ?", String.valueOf(version));
            });
        }
        return applied;
    }

    /** Rollback scripts on the classpath by version. */
    static Map<Integer, Resource> rollbackScripts() {
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath*:db/rollback/U*.sql");
            return Arrays.stream(resources)
                    .filter(r -> r.getFilename() != null && ROLLBACK_NAME.matcher(r.getFilename()).matches())
                    .collect(Collectors.toMap(r -> {
                        Matcher m = ROLLBACK_NAME.matcher(r.getFilename());
                        m.matches();
                        return Integer.parseInt(m.group(1));
                    }, r -> r));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list rollback scripts", e);
        }
    }

    private static String read(Resource resource) {
        try {
            return resource.getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource.getFilename(), e);
        }
    }
}
