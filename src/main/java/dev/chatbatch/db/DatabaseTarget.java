package dev.chatbatch.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The PostgreSQL server a command works on: the one named by {@code spring.datasource.url}
 * (command line, {@code SPRING_DATASOURCE_URL} or system property), or else the embedded one.
 * Closing it stops an embedded server this process started.
 */
public record DatabaseTarget(String url, String username, String password, EmbeddedPostgresServer embedded)
        implements AutoCloseable {

    /** How to run the embedded server when no URL is configured. */
    public enum EmbeddedMode {
        /** Data kept under the configured directory (default {@code ./.chatbatch/pgdata}). */
        PERSISTENT,
        /** A fresh temporary data directory, removed at exit (the demo). */
        TEMPORARY
    }

    public static final String DEFAULT_DATA_DIR = ".chatbatch/pgdata";

    /**
     * Resolves the target from Spring-style properties given on the command line, falling back to
     * the environment and system properties, and probes it.
     */
    public static DatabaseTarget resolve(Map<String, String> cliProperties, EmbeddedMode mode) {
        return resolve(cliProperties, Map.of(), mode);
    }

    /** As {@link #resolve(Map, EmbeddedMode)}, with the configuration files' properties as the last fallback. */
    public static DatabaseTarget resolve(Map<String, String> cliProperties, Map<String, String> fileProperties, EmbeddedMode mode) {
        String url = lookup(cliProperties, fileProperties, "spring.datasource.url");
        String user = lookup(cliProperties, fileProperties, "spring.datasource.username");
        String password = lookup(cliProperties, fileProperties, "spring.datasource.password");
        if (url != null && !url.isBlank()) {
            ConnectionProbe.check(url, user, password);
            return new DatabaseTarget(url, user, password, null);
        }
        Path dataDir;
        if (mode == EmbeddedMode.TEMPORARY) {
            try {
                dataDir = Files.createTempDirectory("chatbatch-demo-").resolve("pgdata");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory for the embedded PostgreSQL", e);
            }
        } else {
            String configured = lookup(cliProperties, fileProperties, "chatbatch.embedded.data-dir");
            dataDir = Path.of(configured == null || configured.isBlank() ? DEFAULT_DATA_DIR : configured).toAbsolutePath();
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.startOrAttach(dataDir,
                mode == EmbeddedMode.PERSISTENT, mode == EmbeddedMode.TEMPORARY);
        return new DatabaseTarget(server.jdbcUrl(), EmbeddedPostgresServer.USER, "", server);
    }

    /**
     * For messages before a target is resolved (or after it failed): where the configured server is, without
     * credentials, or the embedded server when no URL is configured.
     */
    public static String describeConfigured(Map<String, String> cliProperties, Map<String, String> fileProperties) {
        String url = lookup(cliProperties, fileProperties, "spring.datasource.url");
        return url == null || url.isBlank() ? "the embedded PostgreSQL" : "PostgreSQL at " + ConnectionProbe.describe(url);
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** For messages: where this target is, without credentials. */
    public String describe() {
        return (isEmbedded() ? "embedded PostgreSQL at " : "PostgreSQL at ") + ConnectionProbe.describe(url);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }

    /** Command line first, then the environment variable Spring would read, then a system property, then the files. */
    static String lookup(Map<String, String> cliProperties, Map<String, String> fileProperties, String key) {
        String value = cliProperties.get(key);
        if (value != null) {
            return value;
        }
        String env = System.getenv(key.toUpperCase().replace('.', '_').replace("-", ""));
        if (env != null) {
            return env;
        }
        String system = System.getProperty(key);
        return system != null ? system : fileProperties.get(key);
    }
}
