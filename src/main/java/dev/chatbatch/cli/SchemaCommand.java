package dev.chatbatch.cli;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.schema.SchemaModules;
import dev.chatbatch.schema.SchemaService;
import dev.chatbatch.schema.SchemaVerifier;
import dev.chatbatch.schema.types.TypeScriptTypes;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code schema migrate|info|verify|rollback --to <v>}, {@code --module NAME} for the optional
 * modules, and {@code schema types --lang typescript}.
 */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Apply, inspect, verify and roll back the platform schema (sql/) and the optional modules (sql/modules/).",
        subcommands = {SchemaCommand.Migrate.class, SchemaCommand.Info.class, SchemaCommand.Verify.class,
                SchemaCommand.Rollback.class, SchemaCommand.Types.class})
final class SchemaCommand extends CommandGroup {

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Apply pending migrations of the platform, or of one optional module (--module).")
    static final class Migrate implements Callable<Integer> {
        private final CliContext cli;

        @Option(names = "--module", paramLabel = "<name>", description = "an optional schema module (see schema info), e.g. example-messages")
        String module;

        Migrate(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            AppSession session = cli.sessionForSchemaWork();
            if (module != null) {
                MigrateResult result = session.bean(SchemaModules.class).migrate(module);
                cli.out().printf("schema migrate --module %s on %s: %d migration(s) applied, schema %s now at version %s%n",
                        module, session.target().describe(), result.migrationsExecuted, SchemaModules.require(module).schema(),
                        result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion);
                return 0;
            }
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

        @Mixin
        JsonOption json;

        Info(CliContext cli) {
            this.cli = cli;
        }

        record Row(String version, String description, String state, String installedOn) {
        }

        record Listing(List<Row> migrations, List<SchemaModules.ModuleState> modules) {
        }

        @Override
        public Integer call() {
            AppSession session = cli.sessionForSchemaWork();
            List<MigrationInfo> infos = session.bean(SchemaService.class).info();
            List<SchemaModules.ModuleState> modules = session.bean(SchemaModules.class).states();
            List<Row> rows = infos.stream()
                    .filter(i -> i.getVersion() != null)
                    .map(i -> new Row(i.getVersion().getVersion(), i.getDescription(), i.getState().getDisplayName(),
                            i.getInstalledOn() == null ? null : i.getInstalledOn().toInstant().toString()))
                    .toList();
            json.print(cli.out(), new Listing(rows, modules), listing -> {
                cli.out().printf("%-8s %-40s %-10s %s%n", "VERSION", "DESCRIPTION", "STATE", "INSTALLED");
                listing.migrations().forEach(r -> cli.out().printf("%-8s %-40s %-10s %s%n", r.version(), r.description(),
                        r.state(), r.installedOn() == null ? "" : r.installedOn()));
                cli.out().println();
                cli.out().printf("%-20s %-20s %-10s %-8s %s%n", "MODULE", "SCHEMA", "STATE", "VERSION", "PENDING");
                listing.modules().forEach(m -> cli.out().printf("%-20s %-20s %-10s %-8s %d%n", m.name(), m.schema(), m.state(),
                        m.version() == null ? "-" : m.version(), m.pending()));
            });
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check tables, RLS, policies, indexes, functions and materialized views; exit 3 when anything is missing.")
    static final class Verify implements Callable<Integer> {
        private final CliContext cli;

        @Mixin
        JsonOption json;

        Verify(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            SchemaVerifier.Report report = cli.sessionForSchemaWork().bean(SchemaVerifier.class).verify();
            json.print(cli.out(), report, r -> {
                r.checks().forEach(c -> cli.out().printf("%s %-45s %s%n", c.ok() ? "ok  " : "FAIL", c.name(), c.detail()));
                cli.out().printf("%d checks, %d failed%n", r.checks().size(), r.failures().size());
            });
            return report.ok() ? 0 : ExitCode.DIFFERENCES.code();
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Run rollback scripts newest first down to a version (--to 0 empties the schema);"
                    + " with --module, the module's (down to 0 unless --to says otherwise: the module is then off).")
    static final class Rollback implements Callable<Integer> {
        private final CliContext cli;

        @Option(names = "--to", paramLabel = "<version>", description = "version to roll back to (required for the platform)")
        Integer to;

        @Option(names = "--module", paramLabel = "<name>", description = "roll back an optional schema module instead of the platform")
        String module;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        Confirmation confirmation;

        Rollback(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if (module == null && to == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Missing required option: '--to=<version>' (or --module <name> to remove a module)");
            }
            confirmation.require(cli, "schema rollback " + (module == null ? "--to " + to : "--module " + module
                    + (to == null ? "" : " --to " + to)), "the rolled-back migrations' tables are dropped with their data");
            if (module != null) {
                int target = to == null ? 0 : to;
                SchemaModules modules = cli.sessionForSchemaWork().bean(SchemaModules.class);
                List<Integer> undone = modules.rollback(module, target, v -> cli.out().println("rolling back module " + module + " V" + v));
                // what the database says now, not what was asked for (--to may name a version above the module's)
                String version = modules.states().stream().filter(m -> m.name().equals(module)).findFirst()
                        .map(SchemaModules.ModuleState::version).orElse(null);
                cli.out().printf("rolled back %d migration(s) of module %s; %s%n", undone.size(), module,
                        version == null ? "the module is off (schema " + SchemaModules.require(module).schema() + " removed)"
                                : "module now at version " + version);
                return 0;
            }
            SchemaService schema = cli.sessionForSchemaWork().bean(SchemaService.class);
            List<Integer> undone = schema.rollbackTo(to, v -> cli.out().println("rolling back V" + v));
            // what the database says now, not what was asked for: --to 9 lands on 8 when no V9 exists
            int now = schema.currentVersion();
            if (undone.isEmpty()) {
                cli.out().printf("nothing to roll back: the schema is already at version %d%n", now);
            } else {
                cli.out().printf("rolled back %d migration(s); schema now at version %d%n", undone.size(), now);
            }
            return 0;
        }
    }

    @Command(name = "types", mixinStandardHelpOptions = true,
            description = "Generate database.types.ts (Supabase's layout) from the live catalog: public and every applied module's schema.")
    static final class Types implements Callable<Integer> {
        private final CliContext cli;

        @Option(names = "--lang", required = true, paramLabel = "<language>", description = "typescript")
        String lang;

        @Option(names = "--out", paramLabel = "<file>", description = "write to this file instead of standard output")
        Path out;

        @Option(names = "--schema", paramLabel = "<schema>", description = "schemas to include (repeatable; default public and the applied modules')")
        List<String> schemas;

        Types(CliContext cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            TypeScriptTypes types = cli.session().bean(TypeScriptTypes.class);
            List<String> chosen = schemas == null || schemas.isEmpty() ? types.defaultSchemas() : schemas;
            String text = types.generate(lang, chosen);
            if (out == null) {
                cli.out().print(text);
                return 0;
            }
            try {
                Path parent = out.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(out, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new OperatorException(ExitCode.USAGE, "cannot write " + out + ": " + e.getMessage());
            }
            cli.out().printf("wrote %s (schemas %s)%n", out, String.join(", ", chosen));
            return 0;
        }
    }
}
