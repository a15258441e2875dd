package dev.chatbatch.testsupport;

import dev.chatbatch.db.EmbeddedPostgresServer;
import dev.chatbatch.schema.SchemaService;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the tests' PostgreSQL comes from (SPEC §2), decided once per test JVM:
 * <ol>
 *   <li>{@code CHATBATCH_TEST_DB_URL}: an external server (a JDBC URL to an admin database, user and
 *       password in the URL or in {@code CHATBATCH_TEST_DB_USER} / {@code CHATBATCH_TEST_DB_PASSWORD});</li>
 *   <li>Testcontainers, only where a Docker engine answers;</li>
 *   <li>the embedded PostgreSQL 17 (default).</li>
 * </ol>
 * Each test class gets a fresh database: {@link #migrated()} clones a template migrated once per JVM
 * ({@code CREATE DATABASE ... TEMPLATE}), {@link #empty()} creates an empty one.
 */
public final class TestDatabase {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String PREFIX = "cbt_" + ProcessHandle.current().pid() + "_";
    private static final List<String> CREATED = new ArrayList<>();
    private static Server server;
    private static String template;

    private TestDatabase() {
    }

    /** A server and how to reach its databases. */
    public record Server(String host, int port, String user, String password, String kind) {
        public String url(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    /** A database of this test class. */
    public record Db(String name, String url, String user, String password) {
        public DataSource dataSource() {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }

        /** The CLI options that point a command at this database. */
        public String[] cliArgs() {
            return new String[]{"--spring.datasource.url=" + url, "--spring.datasource.username=" + user,
                    "--spring.datasource.password=" + password};
        }
    }

    /**
     * An embedded server of the calling test's own on {@code dir}/pgdata, with the platform schema applied to
     * its database: for tests that restart or stop the server, which the shared one cannot be. Skips the test
     * where {@code CHATBATCH_TEST_DB_URL} points the suite at an external server. Closing it stops the server.
     */
    public static OwnServer ownServer(Path dir) {
        Assumptions.assumeTrue(System.getenv("CHATBATCH_TEST_DB_URL") == null,
                "CHATBATCH_TEST_DB_URL points the tests at an external server; this test restarts an embedded one of its own");
        EmbeddedPostgresServer server = EmbeddedPostgresServer.startOrAttach(dir.resolve("pgdata"), true, true);
        try {
            Db db = new Db(EmbeddedPostgresServer.DATABASE, server.jdbcUrl(), EmbeddedPostgresServer.USER, "");
            SchemaService.flyway(db.dataSource()).migrate();
            return new OwnServer(server, db);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A test's own server ({@link #ownServer}) and its migrated database. */
    public record OwnServer(EmbeddedPostgresServer server, Db db) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    public static synchronized Server server() {
        if (server == null) {
            server = startServer();
            Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropCreated, "test-db-cleanup"));
        }
        return server;
    }

    /** A fresh database with the platform schema applied. */
    public static synchronized Db migrated() {
        Server s = server();
        if (template == null) {
            template = PREFIX + "template";
            admin("create database " + template);
            CREATED.add(template);
            Db t = db(template);
            SchemaService.flyway(t.dataSource()).migrate();
        }
        String name = PREFIX + COUNTER.incrementAndGet();
        admin("create database " + name + " template " + template);
        CREATED.add(name);
        return db(name);
    }

    /** A fresh empty database. */
    public static synchronized Db empty() {
        server();
        String name = PREFIX + COUNTER.incrementAndGet();
        admin("create database " + name);
        CREATED.add(name);
        return db(name);
    }

    private static Db db(String name) {
        Server s = server();
        return new Db(name, s.url(name), s.user(), s.password());
    }

    private static Server startServer() {
        String external = System.getenv("CHATBATCH_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            java.net.URI uri = java.net.URI.create(external.substring("jdbc:".length()));
            String user = env("CHATBATCH_TEST_DB_USER", "postgres");
            String password = env("CHATBATCH_TEST_DB_PASSWORD", "");
            String query = uri.getQuery() == null ? "" : uri.getQuery();
            for (String kv : query.split("&")) {
                if (kv.startsWith("user=")) {
                    user = kv.substring(5);
                } else if (kv.startsWith("password=")) {
                    password = kv.substring(9);
                }
            }
            return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, password, "external");
        }
        if (dockerAnswers()) {
            var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:17-alpine");
            container.start();
            return new Server(container.getHost(), container.getMappedPort(5432), container.getUsername(),
                    container.getPassword(), "testcontainers");
        }
        try {
            Path dir = Files.createTempDirectory("chatbatch-test-pg-").resolve("pgdata");
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.startOrAttach(dir, false, true);
            Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "test-pg-stop"));
            return new Server("127.0.0.1", pg.port(), EmbeddedPostgresServer.USER, "", "embedded");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Only a socket that is really there counts: the docker CLI alone is not an engine. */
    private static boolean dockerAnswers() {
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void admin(String sql) {
        Db postgres = db("postgres");
        try (Connection c = postgres.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static void dropCreated() {
        if (!"external".equals(server.kind())) {
            return; // an embedded or container server goes away with everything in it
        }
        List<String> newestFirst = new ArrayList<>(CREATED);
        java.util.Collections.reverse(newestFirst);
        for (String name : newestFirst) {
            try {
                admin("drop database if exists " + name + " with (force)");
            } catch (RuntimeException e) {
                // best effort at JVM exit
            }
        }
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null ? fallback : v;
    }
}
