package dev.chatbatch.cli;

import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseTarget;
import dev.chatbatch.db.SqlScript;
import dev.chatbatch.migration.MigrationStatusService;
import dev.chatbatch.schema.SchemaModules;
import dev.chatbatch.schema.SchemaService;
import dev.chatbatch.schema.SchemaVerifier;
import dev.chatbatch.schema.Seeder;
import dev.chatbatch.schema.types.TypeScriptTypes;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.sql.DataSource;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code demo}: the whole story on a temporary embedded PostgreSQL that is removed afterwards. It never
 * touches a configured database.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the demo on a temporary embedded PostgreSQL: schema (with both optional modules), seed,"
                + " the v1→v2 migration under live writes, summary.")
final class DemoCommand implements Callable<Integer> {

    private final CliContext cli;

    @Option(names = "--rows", defaultValue = "200000", description = "v1 rows to seed (default ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--bad-rows", defaultValue = "2000", description = "dirty v1 rows (default ${DEFAULT-VALUE})")
    long badRows;

    DemoCommand(CliContext cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (cli.property("spring.datasource.url") != null) {
            throw new OperatorException(ExitCode.USAGE, "demo runs on its own temporary embedded PostgreSQL and never"
                    + " writes to a configured database: drop --spring.datasource.url");
        }
        long start = System.nanoTime();
        cli.out().println("== starting a temporary embedded PostgreSQL 17");
        AppSession session = cli.sessionForSchemaWork(AppSession.Mode.COMMAND, DatabaseTarget.EmbeddedMode.TEMPORARY);
        cli.out().println("   " + session.target().describe());

        cli.out().println("== schema migrate");
        var migrated = session.bean(SchemaService.class).migrate();
        cli.out().printf("   %d migrations applied%n", migrated.migrationsExecuted);

        // Off by default; the demo turns both on to show them side by side (each in its own schema).
        cli.out().println("== schema migrate --module (optional seed 000/004 schemas)");
        SchemaModules modules = session.bean(SchemaModules.class);
        for (SchemaModules.Module module : SchemaModules.available()) {
            var applied = modules.migrate(module.name());
            cli.out().printf("   %-18s %d migration(s) applied, schema %s%n", module.name(), applied.migrationsExecuted, module.schema());
        }

        cli.out().printf("== seed %,d v1 messages (%,d of them dirty)%n", rows + badRows, badRows);
        Seeder.Request request = new Seeder.Request(rows, badRows, Seeder.Request.defaultConversations(rows));
        session.bean(Seeder.class).seed(request, script -> cli.out().println("   running " + script));

        cli.out().println("== schema verify");
        SchemaVerifier.Report report = session.bean(SchemaVerifier.class).verify();
        report.failures().forEach(f -> cli.out().println("   FAIL " + f.name() + ": " + f.detail()));
        cli.out().printf("   %d checks, %d failed%n", report.checks().size(), report.failures().size());

        TypeScriptTypes types = session.bean(TypeScriptTypes.class);
        List<String> schemas = types.defaultSchemas();
        long lines = types.generate("typescript", schemas).lines().count();
        cli.out().printf("== schema types --lang typescript: database.types.ts, %,d lines for %s%n", lines, String.join(", ", schemas));

        cli.out().println("== maintenance: one run of every job on the seeded aged data");
        dev.chatbatch.batch.JobRunner runner = session.bean(dev.chatbatch.batch.JobRunner.class);
        // retention first, then vacuum (it finds the dead tuples they left), then the checks
        for (String job : java.util.List.of("archive-conversations", "session-retention", "memory-decay",
                "checkpoint-retention", "usage-rollup", "refresh-materialized-views", "vacuum-analyze", "integrity-check")) {
            var done = dev.chatbatch.batch.ExecutionSummary.of(runner.run(job, java.util.Map.of("trigger", "demo")));
            cli.out().printf("   %-28s %-10s %,10d rows  %s%n", job, done.status(), done.rowsAffected(),
                    done.steps().stream().map(st -> st.exitDescription() == null ? "" : DatabaseErrors.firstLine(st.exitDescription()))
                            .filter(d -> !d.isEmpty()).findFirst().orElse(""));
        }

        JdbcTemplate jdbc = new JdbcTemplate(session.bean(DataSource.class));
        int migrationExit = migrate(session, jdbc);

        cli.out().println("== summary");
        for (String table : new String[]{"tenants", "users", "conversations", "chat_messages", "chat_messages_v2"}) {
            Long count = jdbc.queryForObject("select count(*) from public." + table, Long.class);
            cli.out().printf("   %-20s %,12d rows%n", table, count);
        }
        cli.out().printf("demo finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return !report.ok() ? ExitCode.DIFFERENCES.code() : migrationExit;
    }

    /**
     * The v1 → v2 migration while a background writer inserts, updates and deletes v1 rows throughout:
     * {@code migration run} with its progress bar, then the rejects by reason.
     */
    private int migrate(AppSession session, JdbcTemplate jdbc) {
        String name = "chat-messages-v2";
        List<String> writes = SqlScript.load("demo/writer.sql").statements();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        Thread writer = new Thread(() -> {
            java.util.Random random = new java.util.Random(42);
            while (!stop.get()) {
                try {
                    int r = random.nextInt(10);
                    jdbc.execute(writes.get(r < 5 ? 0 : r < 8 ? 1 : 2));
                    ops.incrementAndGet();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a write may fail like any (a deadlock with the backfill's row locks): the writer goes on
                }
            }
        }, "demo-writer");
        cli.out().println("== migration run " + name + " (a background writer inserts/updates/deletes v1 rows meanwhile)");
        writer.start();
        int exit;
        try {
            exit = MigrationCommand.Run.run(cli, name, cli.terminal().interactive());
        } finally {
            stop.set(true);
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        cli.out().printf("   the writer made %,d v1 writes during the migration%n", ops.get());
        cli.out().println("== rejected v1 rows by reason (kept in chatbatch.migration_rejects)");
        for (MigrationStatusService.ReasonCount rc : session.bean(MigrationStatusService.class).rejectsByReason(name)) {
            cli.out().printf("   %,8d  %s%n", rc.rows(), rc.reason());
        }
        return exit;
    }
}
