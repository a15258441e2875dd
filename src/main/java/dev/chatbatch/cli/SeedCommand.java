package dev.chatbatch.cli;

import dev.chatbatch.schema.Seeder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code seed --rows N [--bad-rows M] [--conversations K]}. */
@Command(name = "seed", mixinStandardHelpOptions = true,
        description = "Generate demo/test data: platform rows, N clean v1 messages and M dirty ones of every kind.")
final class SeedCommand implements Callable<Integer> {

    private final CliContext cli;

    @Option(names = "--rows", required = true, description = "clean v1 chat_messages rows")
    long rows;

    @Option(names = "--bad-rows", defaultValue = "0", description = "dirty v1 rows (null content, odd roles, odd metadata, huge, non-ASCII)")
    long badRows;

    @Option(names = "--conversations", description = "conversations to spread messages over (default rows/50)")
    Long conversations;

    SeedCommand(CliContext cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        AppSession session = cli.session();
        Seeder.Request request = new Seeder.Request(rows, badRows,
                conversations != null ? conversations : Seeder.Request.defaultConversations(rows));
        long start = System.nanoTime();
        session.bean(Seeder.class).seed(request, script -> cli.out().println("running " + script));
        cli.out().printf("seeded %d clean and %d dirty v1 rows over %d conversations in %.1f s%n",
                rows, badRows, request.conversations(), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
