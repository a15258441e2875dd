package dev.chatbatch.ops;

import dev.chatbatch.ExitCode;
import dev.chatbatch.schema.SchemaService;
import dev.chatbatch.schema.SchemaVerifier;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code schema migrate|info|verify|rollback --to <v>}. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Apply, inspect, verify and roll back the platform schema (sql/).",
        subcommands = {SchemaCommand.Migrate.class, SchemaCommand.Info.class, SchemaCommand.Verify.class,
                SchemaCommand.Rollback.class})
final class SchemaCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a schema sub-command is required");
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true, description = "Apply pending migrations.")
    static final class Migrate implements Callable<Integer> {
        private final CliContext cli;

        Migrate(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            AppSession session = cli.sessionForSchemaWork();
            MigrateResult result = session.bean(SchemaService.class).migrate();
            cli.out().printf("schema migrate on %s: %d migration(s) applied, now at version %s%n",
                    session.target().describe(), result.migrationsExecuted,
                    result.targetSchemaVersion == null ? session.bean(SchemaService.class).currentVersion() : result.targetSchemaVersion);
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "List migrations and their state.")
    static final class Info implements Callable<Integer> {
        private final CliContext cli;

        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        Info(CliContext cli) {
            this.cli = cli;
        }

        record Row(String version, String description, String state, String installedOn) {
        }

        @Override
        public Integer call() {
            List<MigrationInfo> infos = cli.sessionForSchemaWork().bean(SchemaService.class).info();
            List<Row> rows = infos.stream()
                    .filter(i -> i.getVersion() != null)
                    .map(i -> new Row(i.getVersion().getVersion(), i.getDescription(), i.getState().getDisplayName(),
                            i.getInstalledOn() == null ? null : i.getInstalledOn().toInstant().toString()))
                    .toList();
            if (json) {
                Json.print(cli.out(), rows);
            } else {
                cli.out().printf("%-8s %-40s %-10s %s%n", "VERSION", "DESCRIPTION", "STATE", "INSTALLED");
                rows.forEach(r -> cli.out().printf("%-8s %-40s %-10s %s%n", r.version(), r.description(), r.state(),
                        r.installedOn() == null ? "" : r.installedOn()));
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check tables, RLS, policies, indexes, functions and materialized views; exit 3 when anything is missing.")
    static final class Verify implements Callable<Integer> {
        private final CliContext cli;

        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        Verify(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            SchemaVerifier.Report report = cli.sessionForSchemaWork().bean(SchemaVerifier.class).verify();
            if (json) {
                Json.print(cli.out(), report);
            } else {
                report.checks().forEach(c -> cli.out().printf("%s %-45s %s%n", c.ok() ? "ok  " : "FAIL", c.name(), c.detail()));
                cli.out().printf("%d checks, %d failed%n", report.checks().size(), report.failures().size());
            }
            return report.ok() ? 0 : ExitCode.DIFFERENCES.code();
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Run rollback scripts newest first down to a version (--to 0 empties the schema).")
    static final class Rollback implements Callable<Integer> {
        private final CliContext cli;

        @Option(names = "--to", required = true, paramLabel = "<version>", description = "version to roll back to")
        int to;

        Rollback(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            List<Integer> undone = cli.sessionForSchemaWork().bean(SchemaService.class).rollbackTo(to, v -> cli.out().println("rolling back V" + v));
            cli.out().printf("rolled back %d migration(s); schema now at version %d%n", undone.size(), to);
            return 0;
        }
    }
}
