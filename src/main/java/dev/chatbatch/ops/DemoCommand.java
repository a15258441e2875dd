package dev.chatbatch.ops;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseTarget;
import dev.chatbatch.schema.SchemaService;
import dev.chatbatch.schema.SchemaVerifier;
import dev.chatbatch.schema.Seeder;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.sql.DataSource;
import java.util.concurrent.Callable;

/**
 * {@code demo}: the whole story on a temporary embedded PostgreSQL that is removed afterwards. It never
 * touches a configured database.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the demo on a temporary embedded PostgreSQL: schema, seed, verify, summary.")
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
        AppSession session = cli.session(AppSession.Mode.COMMAND, DatabaseTarget.EmbeddedMode.TEMPORARY);
        cli.out().println("   " + session.target().describe());

        cli.out().println("== schema migrate");
        var migrated = session.bean(SchemaService.class).migrate();
        cli.out().printf("   %d migrations applied%n", migrated.migrationsExecuted);

        cli.out().printf("== seed %,d v1 messages (%,d of them dirty)%n", rows + badRows, badRows);
        Seeder.Request request = new Seeder.Request(rows, badRows, Seeder.Request.defaultConversations(rows));
        session.bean(Seeder.class).seed(request, line -> cli.out().println("   " + line));

        cli.out().println("== schema verify");
        SchemaVerifier.Report report = session.bean(SchemaVerifier.class).verify();
        report.failures().forEach(f -> cli.out().println("   FAIL " + f.name() + ": " + f.detail()));
        cli.out().printf("   %d checks, %d failed%n", report.checks().size(), report.failures().size());

        cli.out().println("== maintenance: one run of every job on the seeded aged data");
        dev.chatbatch.batch.JobRunner runner = session.bean(dev.chatbatch.batch.JobRunner.class);
        // retention first, then vacuum (it finds the dead tuples they left), then the checks
        for (String job : java.util.List.of("archive-conversations", "session-retention", "memory-decay",
                "checkpoint-retention", "usage-rollup", "refresh-materialized-views", "vacuum-analyze", "integrity-check")) {
            var done = dev.chatbatch.batch.ExecutionSummary.of(runner.run(job, java.util.Map.of("trigger", "demo")));
            cli.out().printf("   %-28s %-10s %,10d rows  %s%n", job, done.status(), done.rowsAffected(),
                    done.steps().stream().map(st -> st.exitDescription() == null ? "" : ExecutionPrinter.firstLine(st.exitDescription()))
                            .filter(d -> !d.isEmpty()).findFirst().orElse(""));
        }

        JdbcTemplate jdbc = new JdbcTemplate(session.bean(DataSource.class));
        cli.out().println("== summary");
        for (String table : new String[]{"tenants", "users", "conversations", "chat_messages", "chat_messages_v2"}) {
            Long count = jdbc.queryForObject("select count(*) from public." + table, Long.class);
            cli.out().printf("   %-20s %,12d rows%n", table, count);
        }
        cli.out().printf("demo finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return report.ok() ? 0 : ExitCode.DIFFERENCES.code();
    }
}
