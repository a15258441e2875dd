package dev.chatbatch.schema;

import dev.chatbatch.OperatorException;
import dev.chatbatch.db.Identifiers;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.output.MigrateResult;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The optional schema modules (seed 000's {@code example-messages}, seed 004's {@code direct-messages}),
 * off until {@code schema migrate --module NAME}.
 *
 * <p>A module is a directory {@code sql/modules/<name>/} of versioned migrations with their rollback
 * scripts in {@code rollback/} (on the classpath as {@code db/modules/<name>} and
 * {@code db/module-rollback/<name>/rollback}). Each owns the schema named after it ({@code -} becomes
 * {@code _}), so modules never collide with each other or the platform, and keeps its own Flyway
 * history {@code chatbatch.flyway_schema_history_<schema>}, so its versions are independent of the
 * platform's. A full rollback also drops that history table: the module is then off again.
 */
@Service
public class SchemaModules {

    private static final Pattern MODULE_DIR = Pattern.compile(".*/db/modules/([a-z][a-z0-9-]*)/V[^/]*\\.sql");

    private final DataSource dataSource;
    private final TransactionTemplate transactions;
    private final SchemaService platform;

    public SchemaModules(DataSource dataSource, TransactionTemplate transactions, SchemaService platform) {
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.platform = platform;
    }

    /** A module: its name on the command line, its schema, its history table (in {@code chatbatch}). */
    public record Module(String name, String schema, String historyTable) {
        static Module named(String name) {
            String schema = name.replace('-', '_');
            Identifiers.quote("module schema", schema);
            return new Module(name, schema, SchemaService.HISTORY_TABLE + "_" + schema);
        }
    }

    /** What {@code schema info} shows of a module. {@code version} is null while the module is off. */
    public record ModuleState(String name, String schema, String state, String version, int pending) {
    }

    /** Every module packaged with this chatbatch, by name. */
    public static List<Module> available() {
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath*:db/modules/*/V*.sql");
            TreeSet<String> names = new TreeSet<>();
            for (Resource r : resources) {
                Matcher m = MODULE_DIR.matcher(r.getURL().toString());
                if (m.matches()) {
                    names.add(m.group(1));
                }
            }
            return names.stream().map(Module::named).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list schema modules", e);
        }
    }

    /** The module of that name, or a usage error naming the available ones. */
    public static Module require(String name) {
        return available().stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> OperatorException.usage("unknown schema module '" + name + "': available are "
                        + String.join(", ", available().stream().map(Module::name).toList())));
    }

    static Flyway flyway(DataSource dataSource, Module module) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/modules/" + module.name())
                .defaultSchema(SchemaService.RUNNER_SCHEMA)
                .schemas(SchemaService.RUNNER_SCHEMA)
                .createSchemas(false)
                // chatbatch already holds the platform's tables: Flyway refuses a new history table in a
                // non-empty schema unless it starts it with a baseline row, version 0, below every module migration.
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("module " + module.name())
                .table(module.historyTable())
                .cleanDisabled(true)
                .validateMigrationNaming(true)
                .load();
    }

    /** Applies the module's pending migrations; the platform schema must be current first. */
    public MigrateResult migrate(String name) {
        Module module = require(name);
        platform.requireCurrent();
        return flyway(dataSource, module).migrate();
    }

    /**
     * Rolls the module back to {@code targetVersion} (0: removes it, its schema and its history).
     *
     * @return the versions rolled back, newest first
     */
    public List<Integer> rollback(String name, int targetVersion, IntConsumer beforeEach) {
        Module module = require(name);
        if (!historyExists(module)) {
            return List.of();
        }
        String history = SchemaService.RUNNER_SCHEMA + "." + Identifiers.quote("history table", module.historyTable());
        List<Integer> undone = Rollbacks.run(dataSource, transactions, flyway(dataSource, module),
                Rollbacks.scripts("db/module-rollback/" + module.name() + "/rollback/U*.sql"), history,
                targetVersion, beforeEach, "sql/modules/" + module.name() + "/rollback/U");
        if (targetVersion == 0) {
            new JdbcTemplate(dataSource).execute("drop table if exists " + history);
        }
        return undone;
    }

    /** Every available module with its state: off, applied, or applied with pending migrations. */
    public List<ModuleState> states() {
        return available().stream().map(this::state).toList();
    }

    /** The modules that are on (at least one migration applied). */
    public List<Module> applied() {
        return available().stream().filter(m -> state(m).version() != null).toList();
    }

    private ModuleState state(Module module) {
        if (!historyExists(module)) {
            int available = flyway(dataSource, module).info().pending().length;
            return new ModuleState(module.name(), module.schema(), "off", null, available);
        }
        MigrationInfoService info = flyway(dataSource, module).info();
        MigrationInfo current = info.current();
        int pending = info.pending().length;
        String version = current == null || current.getVersion() == null || current.getVersion().getVersion().equals("0")
                ? null : current.getVersion().getVersion();
        String state = version == null ? "off" : pending > 0 ? "pending" : "applied";
        return new ModuleState(module.name(), module.schema(), state, version, pending);
    }

    private boolean historyExists(Module module) {
        return Objects.equals(Boolean.TRUE, new JdbcTemplate(dataSource).queryForObject(
                "select to_regclass(?) is not null", Boolean.class,
                SchemaService.RUNNER_SCHEMA + "." + Identifiers.quote("history table", module.historyTable())));
    }
}
