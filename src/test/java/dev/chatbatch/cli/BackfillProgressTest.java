package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill's progress bar on a terminal says what the run is doing from its first frame: while it measures the
 * load baseline and splits the key range (about a second, before any row is counted) it used to show nothing, then a
 * bar frozen at 0 % with a rate of 0 rows/s; rate and ETA are said to be unknown until measured.
 */
class BackfillProgressTest {

    private static final String NAME = "chat-messages-v2";

    @Test
    void theFirstFrameSaysTheRunIsStartingAndNoFrameShowsAnUnmeasuredRate() {
        TestDatabase.Db db = TestDatabase.migrated();
        TestContexts.seed(db, 10, "seed/seed-platform.sql");
        new JdbcTemplate(db.dataSource()).update("INSERT INTO public.chat_messages (conversation_id, role, content)"
                + " SELECT c.id, 'user', 'message ' || g FROM public.conversations c, generate_series(1, 100) g");
        CliRun start = CliRun.on(db, "migration", "start", NAME);
        assertThat(start.exitCode()).as(start.toString()).isZero();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Confirmation.Terminal terminal = new Confirmation.Terminal() {
            @Override
            public boolean interactive() {
                return true;
            }

            @Override
            public String ask(String prompt) {
                return null;
            }
        };
        int exit = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                terminal).run(Stream.concat(Stream.of(db.cliArgs()), Stream.of("migration", "backfill", NAME)).toArray(String[]::new));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed + err).isZero();

        // the bar redraws its line after a carriage return: one frame per segment
        List<String> frames = Arrays.stream(printed.split("\r")).map(String::strip).filter(f -> f.startsWith("backfill ")
                && !f.contains("execution")).toList();
        assertThat(frames).as(printed).isNotEmpty();
        assertThat(frames.get(0)).as(printed).contains("starting: measuring load baseline", "(rate, ETA unknown)");
        assertThat(frames).as(printed).noneMatch(f -> f.contains(" 0 rows/s"));
        assertThat(printed).contains("backfill " + NAME + ": COMPLETED, 1,000 rows copied");
    }
}
