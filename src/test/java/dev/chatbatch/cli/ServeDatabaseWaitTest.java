package dev.chatbatch.cli;

import dev.chatbatch.testsupport.CliProcess;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve} when PostgreSQL goes away while serve starts (after its connection probe, before its pool, schema
 * check and schedules): it does what it does once running, waits with a warning saying what it waits for and
 * what to check, and starts when the server is back, instead of exiting. Uses a server of its own
 * ({@link TestDatabase#ownServer}, one for the class: starting and migrating one is most of a case's time),
 * stopped for a few seconds.
 */
class ServeDatabaseWaitTest {

    @TempDir
    static Path serverDir;
    private static TestDatabase.OwnServer own;

    @BeforeAll
    static void startServer() {
        own = TestDatabase.ownServer(serverDir);
    }

    @AfterAll
    static void stopServer() {
        if (own != null) {
            own.close();
        }
    }

    @Test
    void aDatabaseGoneDuringStartUpIsWaitedForAndServeStartsWhenItIsBack(@TempDir Path dir) throws Exception {
        try (CliProcess serve = CliProcess.start(own.db(), dir.resolve("serve.log"), "--server.port=0", "serve")) {
            // the web server is set up before the pool's first connection
            serve.awaitOutput("Tomcat initialized", 120);
            CompletableFuture<Duration> restart = CompletableFuture.supplyAsync(() -> own.server().restartFast(Duration.ofSeconds(4)));

            serve.awaitOutput("serve is waiting for the database", 60);
            assertThat(serve.process().isAlive()).as(serve.output()).isTrue();
            assertThat(serve.output()).contains("PostgreSQL at 127.0.0.1:" + own.server().port() + " (database chatbatch) is"
                    + " unreachable or restarting", "Check that it is running and reachable");
            restart.get(120, TimeUnit.SECONDS);

            serve.output().lines().filter(l -> l.contains("waiting for the database")).forEach(System.out::println);
            serve.awaitOutput("serving on http://", 120);
            assertThat(serve.process().isAlive()).as(serve.output()).isTrue();
        }
    }

    @Test
    void aDatabaseDownWhenServeStartsIsWaitedFor(@TempDir Path dir) throws Exception {
        CompletableFuture<Duration> restart = CompletableFuture.supplyAsync(() -> own.server().restartFast(Duration.ofSeconds(6)));
        Thread.sleep(1_000); // stopped (a fast shutdown of an idle server takes a fraction of a second)
        try (CliProcess serve = CliProcess.start(own.db(), dir.resolve("serve.log"), "--server.port=0", "serve")) {
            serve.awaitOutput("serve is waiting for the database", 60);
            assertThat(serve.output()).contains("PostgreSQL at 127.0.0.1:" + own.server().port() + " (database chatbatch) is"
                    + " unreachable or restarting", "refused");
            restart.get(120, TimeUnit.SECONDS);
            serve.awaitOutput("serving on http://", 120);
            assertThat(serve.process().isAlive()).as(serve.output()).isTrue();
        }
    }

    @Test
    void aConfigurationErrorIsNotWaitedFor(@TempDir Path dir) throws Exception {
        TestDatabase.Db shared = TestDatabase.migrated();
        TestDatabase.Db missing = new TestDatabase.Db("cbt_no_such_database", shared.url().replace(shared.name(), "cbt_no_such_database"),
                shared.user(), shared.password());
        try (CliProcess serve = CliProcess.start(missing, dir.resolve("serve.log"), "--server.port=0", "serve")) {
            assertThat(serve.process().waitFor(60, TimeUnit.SECONDS)).as(serve.output()).isTrue();
            assertThat(serve.process().exitValue()).as(serve.output()).isEqualTo(2);
            assertThat(serve.output()).contains("cbt_no_such_database\" does not exist").doesNotContain("waiting for the database");
        }
    }
}
