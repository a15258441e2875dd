package dev.chatbatch.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code chatbatch}: the command tree. Without a sub-command it prints usage and exits 2. */
@Command(name = "chatbatch",
        mixinStandardHelpOptions = true,
        version = "chatbatch 0.1.0",
        description = "Migration and maintenance runner for PostgreSQL chat and agent databases.%n"
                + "Database: --spring.datasource.url=jdbc:postgresql://host:port/db (or SPRING_DATASOURCE_URL);"
                + " without it, an embedded PostgreSQL 17 under ./.chatbatch/.%n"
                + "Anywhere on the command line: --config FILE (settings from a .properties/.yml file),"
                + " --log-format text|json, --verbose (stack traces).",
        subcommands = {
                SchemaCommand.class,
                SeedCommand.class,
                DemoCommand.class,
                MigrationCommand.class,
                JobsCommand.class,
                LaunchCommand.class,
                ExecutionsCommand.class,
                StopCommand.class,
                RestartCommand.class,
                ServeCommand.class,
                AutoComplete.GenerateCompletion.class,
        })
final class RootCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is required");
    }
}
