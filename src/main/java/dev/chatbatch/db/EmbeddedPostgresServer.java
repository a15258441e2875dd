package dev.chatbatch.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * PostgreSQL 17 started from the zonky binaries on Maven Central, used when no
 * {@code spring.datasource.url} is configured.
 *
 * <p>The data directory is either persistent (kept between runs, e.g. {@code ./.chatbatch/pgdata}
 * for {@code serve}) or temporary (removed on close, for {@code demo}). When another chatbatch
 * process already runs a server on the same persistent directory, this one attaches to it instead of
 * starting a second one, so {@code stop <id>} works from another terminal. Only a server this
 * process started is stopped on {@link #close()}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** The database chatbatch uses inside the embedded server. */
    public static final String DATABASE = "chatbatch";
    public static final String USER = "postgres";

    private EmbeddedPostgres started;
    private final int port;
    private final Path dataDir;
    private final boolean fast;

    private EmbeddedPostgresServer(EmbeddedPostgres started, int port, Path dataDir, boolean fast) {
        this.started = started;
        this.port = port;
        this.dataDir = dataDir;
        this.fast = fast;
    }

    /**
     * Starts a server on {@code dataDir} (attaching to a running one when its postmaster is alive).
     *
     * @param persistent keep the data directory after close; a temporary one is removed
     * @param fast       trade durability for speed (fsync off): for demos and tests only
     */
    public static EmbeddedPostgresServer startOrAttach(Path dataDir, boolean persistent, boolean fast) {
        if (persistent) {
            Optional<Integer> running = runningPort(dataDir);
            if (running.isPresent()) {
                return new EmbeddedPostgresServer(null, running.get(), dataDir, fast);
            }
        }
        try {
            int port = freePort();
            EmbeddedPostgres pg = start(dataDir, persistent, port, fast);
            return new EmbeddedPostgresServer(pg, port, dataDir, fast);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL in " + dataDir
                    + " (log: " + logFile(dataDir) + "): " + e.getMessage()
                    + ". Configure an external server with --spring.datasource.url=jdbc:postgresql://host:port/db instead", e);
        }
    }

    /**
     * A real restart of a persistent server this process started: fast shutdown ({@code pg_ctl stop -m fast}:
     * sessions terminated, open transactions rolled back), then a start on the same data directory and port,
     * so clients' URLs stay valid. For tests of what a restart does to a running job. Returns how long the
     * shutdown took, until the old postmaster was gone.
     */
    public Duration restartFast() {
        return restartFast(Duration.ZERO);
    }

    /** {@link #restartFast()}, the server staying down for {@code down} between stop and start. */
    public Duration restartFast(Duration down) {
        // pg_ctl's stop may return while the old postmaster still finishes its shutdown checkpoint and its
        // walsenders flush to a slow logical reader: the restart waits for it to be gone
        return restart(() -> started.close(), down);
    }

    /**
     * A crash and restart of a persistent server this process started: immediate shutdown (SIGQUIT to the
     * postmaster: every process ends at once, no shutdown checkpoint, crash recovery at the next start),
     * then a start on the same data directory and port. Unlike a fast shutdown it does not wait for logical
     * walsenders to have their last changes confirmed by a reader. For tests of what a crash does. Returns
     * how long the shutdown took, until the old postmaster was gone.
     */
    public Duration restartImmediate() {
        return restart(() -> {
            String pid = Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim();
            new ProcessBuilder("kill", "-QUIT", pid).inheritIO().start().waitFor();
        }, Duration.ZERO);
    }

    /** How a restart stops the old server. */
    private interface Stop {
        void stop() throws IOException, InterruptedException;
    }

    /**
     * Stops the server with {@code stop}, waits until its postmaster is gone (a start before that fails on the
     * data directory's lock file), leaves it down for {@code down}, and starts it again on the same directory
     * and port.
     */
    private Duration restart(Stop stop, Duration down) {
        if (started == null) {
            throw new IllegalStateException("this process attached to another process's server; only its owner restarts it");
        }
        Path lock = dataDir.resolve("postmaster.pid");
        try {
            long begin = System.nanoTime();
            stop.stop();
            long deadline = begin + RESTART_WAIT.toNanos();
            while (Files.exists(lock) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Duration stopped = Duration.ofNanos(System.nanoTime() - begin);
            started.close(); // after a stop of its own a no-op; else it releases the lock it holds for the new start
            Thread.sleep(down.toMillis());
            started = start(dataDir, true, port, fast);
            return stopped;
        } catch (IOException e) {
            throw new UncheckedIOException("could not restart the embedded PostgreSQL in " + dataDir
                    + " (log: " + logFile(dataDir) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting the embedded PostgreSQL", e);
        }
    }

    /** How long a restart waits for the old server to be gone and for the new one to accept connections. */
    private static final Duration RESTART_WAIT = Duration.ofSeconds(60);

    private static EmbeddedPostgres start(Path dataDir, boolean persistent, int port, boolean fast) throws IOException {
        Files.createDirectories(dataDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(!persistent)
                .setPort(port)
                .setPGStartupWait(RESTART_WAIT)
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_worker_processes", "8")
                // logical decoding for the migration's change capture (capture.mode logical / auto)
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "20")
                .setServerConfig("max_wal_senders", "20")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile(dataDir).toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile(dataDir).toFile()));
        if (fast) {
            builder.setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off");
        }
        EmbeddedPostgres pg = builder.start();
        createDatabaseIfAbsent(port);
        return pg;
    }

    public int port() {
        return port;
    }

    /** True when this process started the server (false when it attached to another process's). */
    public boolean ownsServer() {
        return started != null;
    }

    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public void close() {
        if (started != null) {
            try {
                started.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the embedded PostgreSQL", e);
            }
        }
    }

    private static Path logFile(Path dataDir) {
        return dataDir.toAbsolutePath().getParent().resolve(dataDir.getFileName() + ".log");
    }

    /** The port of a live postmaster on {@code dataDir}, read from its postmaster.pid. */
    private static Optional<Integer> runningPort(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isReadable(pidFile)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && answers(port)) {
                return Optional.of(port);
            }
        } catch (IOException | NumberFormatException e) {
            // a stale or half-written pid file: start a server of our own
        }
        return Optional.empty();
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void createDatabaseIfAbsent(int port) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, USER, "");
                PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?");
                Statement s = c.createStatement()) {
            exists.setString(1, DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database " + Identifiers.quote("embedded database", DATABASE));
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + DATABASE + ": " + e.getMessage(), e);
        }
    }
}
