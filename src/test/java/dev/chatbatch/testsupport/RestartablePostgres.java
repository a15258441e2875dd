package dev.chatbatch.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL 17 server of one test alone, which the test can really restart (the shared
 * {@link TestDatabase} server cannot be: every test class of the JVM uses it). Same zonky binaries and
 * settings as {@link dev.chatbatch.db.EmbeddedPostgresServer}, but a data directory kept across
 * {@link #restartFast()} and a port fixed once, so the clients' URL stays valid after the restart.
 * Only for tests that need the restart itself; everything else uses {@link TestDatabase}.
 */
public final class RestartablePostgres implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres pg;

    private RestartablePostgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    /** Starts a fresh server in {@code dir} (which it owns) with an empty database {@code database}. */
    public static RestartablePostgres start(Path dir, String database) {
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            RestartablePostgres server = new RestartablePostgres(dir.resolve("pgdata"), port);
            server.pg = server.builder().start();
            try (Connection c = server.db("postgres").dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("create database " + database);
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Fast shutdown ({@code pg_ctl stop -m fast}: every session is terminated, open transactions roll
     * back, a shutdown checkpoint is written), then a start on the same data directory and port.
     */
    public void restartFast() {
        try {
            pg.close();
            pg = builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestDatabase.Db db(String database) {
        return new TestDatabase.Db(database, "jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "");
    }

    private EmbeddedPostgres.Builder builder() throws IOException {
        Files.createDirectories(dataDir);
        Path log = dataDir.resolveSibling("pgdata.log");
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("max_connections", "100")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
