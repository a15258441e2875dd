package dev.chatbatch.cli;

import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migration status <name> --watch}: refreshes until a final phase. Without a terminal a new block only when
 * something changed, with no carriage return or escape code; on a terminal the status is redrawn in place.
 */
class MigrationStatusWatchTest {

    private static final String NAME = "chat-messages-v2";
    private static final String BLOCK = "migration " + NAME + ": phase ";
    /** Cursor home and erase the screen (ANSI), as each redraw on a terminal begins. */
    private static final String REDRAW = "\u001b[H\u001b[2J";

    @Test
    void watchPrintsChangesOnlyWithoutATerminalAndRedrawsOnOneUntilAFinalPhase() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());

        Watch piped = Watch.start(db, false);
        piped.awaitBlocks(1);
        Thread.sleep(1000); // five refreshes with nothing changed: nothing more printed
        assertThat(piped.blocks()).as(piped.out()).isEqualTo(1);
        jdbc.update("INSERT INTO chatbatch.migration_state (name, spec_hash) VALUES (?, 'x')", NAME);
        jdbc.update("UPDATE chatbatch.migration_state SET phase = 'DUAL_WRITE', paused = true WHERE name = ?", NAME);
        piped.awaitBlocks(2);
        jdbc.update("UPDATE chatbatch.migration_state SET phase = 'ROLLED_BACK' WHERE name = ?", NAME);
        assertThat(piped.exit()).as(piped.out()).isZero();
        assertThat(piped.blocks()).as(piped.out()).isEqualTo(3);
        assertThat(piped.out()).contains(BLOCK + "PENDING", BLOCK + "DUAL_WRITE", "paused true", BLOCK + "ROLLED_BACK")
                .doesNotContain("\r", "\u001b");

        jdbc.update("UPDATE chatbatch.migration_state SET phase = 'DUAL_WRITE', paused = false WHERE name = ?", NAME);
        Watch terminal = Watch.start(db, true);
        terminal.awaitBlocks(2); // redrawn every interval even when unchanged
        jdbc.update("UPDATE chatbatch.migration_state SET phase = 'ROLLED_BACK' WHERE name = ?", NAME);
        assertThat(terminal.exit()).as(terminal.out()).isZero();
        String[] frames = terminal.out().split(java.util.regex.Pattern.quote(REDRAW), -1);
        assertThat(frames.length - 1).as("frames, each starting by going home and clearing the screen").isGreaterThanOrEqualTo(3);
        assertThat(frames[frames.length - 1]).contains(BLOCK + "ROLLED_BACK", "watch ended");
        assertThat(frames[1]).contains(BLOCK + "DUAL_WRITE", "Ctrl-C to stop");
    }

    /** A `migration status --watch --interval 0.2` running in the background, with a terminal or not. */
    private record Watch(ByteArrayOutputStream buffer, CompletableFuture<Integer> exitCode) {
        static Watch start(TestDatabase.Db db, boolean interactive) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Confirmation.Terminal terminal = new Confirmation.Terminal() {
                @Override
                public boolean interactive() {
                    return interactive;
                }

                @Override
                public String ask(String prompt) {
                    return null;
                }
            };
            String[] args = Stream.concat(Stream.of(db.cliArgs()), Stream.of("migration", "status", NAME, "--watch", "--interval", "0.2"))
                    .toArray(String[]::new);
            return new Watch(out, CompletableFuture.supplyAsync(() -> new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), terminal).run(args)));
        }

        String out() {
            return buffer.toString(StandardCharsets.UTF_8);
        }

        long blocks() {
            return out().split(java.util.regex.Pattern.quote(BLOCK), -1).length - 1;
        }

        void awaitBlocks(int n) throws InterruptedException {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (blocks() < n) {
                assertThat(exitCode.isDone()).as("watch ended early: %s", out()).isFalse();
                assertThat(System.nanoTime()).as("%d blocks within 2 min: %s", n, out()).isLessThan(deadline);
                Thread.sleep(50);
            }
        }

        int exit() throws Exception {
            return exitCode.get(60, TimeUnit.SECONDS);
        }
    }
}
