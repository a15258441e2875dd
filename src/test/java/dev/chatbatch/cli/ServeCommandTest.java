package dev.chatbatch.cli;

import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve} as a real process: a scheduled job is running when SIGTERM arrives; serve stops it
 * gracefully (STOPPED, restartable) and exits 0 within 30 s; {@code restart} then finishes it.
 */
class ServeCommandTest {

    @Test
    void sigtermStopsRunningJobsAndExitsZero(@TempDir Path dir) throws Exception {
        TestDatabase.Db db = TestDatabase.migrated();
        TestContexts.seed(db, 100, "seed/seed-platform.sql", "seed/seed-maintenance.sql");
        JdbcTemplate jdbc = new JdbcTemplate(db.dataSource());
        Path config = dir.resolve("maintenance.yml");
        StringBuilder yml = new StringBuilder();
        String current = null;
        for (String line : Files.readAllLines(Path.of("jobs/maintenance.yml"))) {
            if (line.matches("  [a-z-]+:\\s*")) {
                current = line.trim().replace(":", "");
            }
            boolean archive = "archive-conversations".equals(current);
            if (line.trim().startsWith("enabled:")) {
                line = "    enabled: " + archive;
            } else if (archive && line.trim().startsWith("cron:")) {
                line = "    cron: \"0/2 * * * * ?\"";
            } else if (archive && line.trim().startsWith("lock-timeout:")) {
                line = "      lock-timeout: 60s";
            } else if (archive && line.trim().startsWith("chunk-size:")) {
                line = "      chunk-size: 5";
            }
            yml.append(line).append('\n');
        }
        Files.writeString(config, yml);

        String victim = jdbc.queryForObject("select id::text from public.conversations where not is_archived"
                + " and updated_at < now() - interval '6 months' order by id limit 1", String.class);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.chatbatch.Chatbatch"));
        command.addAll(List.of(db.cliArgs()));
        command.addAll(List.of("--server.port=0", "--chatbatch.maintenance.config=" + config, "serve"));
        Process serve;
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        try (Connection blocker = db.dataSource().getConnection()) {
            blocker.setAutoCommit(false);
            try (Statement s = blocker.createStatement()) {
                s.execute("select 1 from public.conversations where id = '" + victim + "' for update");
            }
            serve = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (Exception e) {
                    // process gone
                }
            });
            reader.setDaemon(true);
            reader.start();
            long id = 0;
            final Thread output = reader;
            for (int i = 0; i < 600 && id == 0; i++) {
                Long running = jdbc.queryForObject("select max(job_execution_id) from chatbatch.batch_job_execution"
                        + " where status = 'STARTED'", Long.class);
                id = running == null ? 0 : running;
                Thread.sleep(100);
            }
            assertThat(id).as(String.join("\n", lines)).isPositive();

            long sigterm = System.nanoTime();
            serve.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
            Thread.sleep(1000);

            blocker.rollback(); // the chunk in flight can finish; then the job stops at the chunk boundary
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("serve exits within 30 s").isTrue();
            assertThat((System.nanoTime() - sigterm) / 1e9).isLessThan(30);
            output.join(5000); // everything the process printed
            List<String> printed = new ArrayList<>(lines);
            assertThat(serve.exitValue()).as(String.join("\n", printed)).isZero();
            assertThat(String.join("\n", printed)).contains("serving on").contains("execution " + id + " stopped");
            assertThat(jdbc.queryForObject("select status from chatbatch.batch_job_execution where job_execution_id = ?",
                    String.class, id)).isEqualTo("STOPPED");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), System.err)
                    .run(Stream.concat(Stream.of(db.cliArgs()), Stream.of("restart", String.valueOf(id))).toArray(String[]::new));
            assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(jdbc.queryForObject("select count(*) from public.conversations where not is_archived"
                    + " and updated_at < now() - interval '6 months'", Long.class)).isZero();
        }
    }
}
