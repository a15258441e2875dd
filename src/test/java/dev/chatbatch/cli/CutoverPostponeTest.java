package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code migration cutover --postpone-file}: waits while the file exists; a cutover that could not run is refused at once. */
class CutoverPostponeTest {

    @Test
    void waitsUntilTheFileIsDeleted() throws Exception {
        Path flag = Files.createTempFile("chatbatch-postpone", ".flag");
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread remover = new Thread(() -> {
            try {
                Thread.sleep(600);
                Files.delete(flag);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long t0 = System.nanoTime();
        remover.start();
        MigrationCommand.Cutover.awaitRemoval(flag, "cutover m", lines::add, Duration.ofMillis(50), Duration.ofMillis(200));
        long waited = (System.nanoTime() - t0) / 1_000_000;
        remover.join();
        assertThat(waited).isGreaterThanOrEqualTo(600);
        assertThat(Files.exists(flag)).isFalse();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2).first().asString()
                .startsWith("cutover m postponed while " + flag + " exists (0 s so far): delete it to go on");
    }

    @Test
    void aCutoverTheMigrationsPhaseRefusesIsNotPostponed() throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        Path flag = Files.createTempFile("chatbatch-postpone", ".flag");
        try {
            CliRun run = CliRun.on(db, "migration", "cutover", "chat-messages-v2", "--postpone-file", flag.toString(), "--yes");
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
            assertThat(run.out()).doesNotContain("postponed");
            assertThat(run.err()).contains("PENDING");
        } finally {
            Files.deleteIfExists(flag);
        }
    }
}
