package dev.chatbatch.db;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Tries one connection before anything else runs, so an unreachable or misconfigured server gives
 * one clear line (host, port, cause, what to check) instead of a stack trace from deep inside Spring.
 */
public final class ConnectionProbe {

    private ConnectionProbe() {
    }

    public static void check(String url, String username, String password) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new OperatorException(ExitCode.USAGE, "spring.datasource.url '" + url
                    + "' is not a PostgreSQL JDBC URL: use jdbc:postgresql://host:port/database");
        }
        Properties props = new Properties();
        if (username != null) {
            props.setProperty("user", username);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        props.setProperty("loginTimeout", "10");
        try (Connection ignored = DriverManager.getConnection(url, props)) {
            // reachable
        } catch (SQLException e) {
            throw new OperatorException(ExitCode.USAGE, "cannot connect to PostgreSQL at " + describe(url)
                    + ": " + rootMessage(e) + ". Check that the server is running and reachable, and the URL, user"
                    + " and password (--spring.datasource.url/username/password or SPRING_DATASOURCE_URL/USERNAME/PASSWORD)", e);
        }
    }

    /** "host:port, database db" from a JDBC URL, for messages. */
    static String describe(String url) {
        try {
            URI uri = URI.create(url.substring("jdbc:".length()));
            String host = uri.getHost() == null ? "localhost" : uri.getHost();
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "(default)" : uri.getPath().substring(1);
            return host + ":" + port + " (database " + db + ")";
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = DatabaseErrors.rootCause(e);
        String own = e.getMessage();
        return t == e || t.getMessage() == null ? own : own + " (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
    }
}
