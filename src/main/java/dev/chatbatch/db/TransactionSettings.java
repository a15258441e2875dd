package dev.chatbatch.db;

import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings local to the current transaction ({@code SET LOCAL}): gone at its commit or rollback, so a
 * pooled connection never carries them into someone else's work. Applied as one
 * {@code SELECT set_config(?, ?, true), ...}, names and values bound (never written into the SQL text),
 * in one round trip. Outside a transaction they would last for the one statement only, so callers apply
 * them inside the transaction they are meant for.
 */
public final class TransactionSettings {

    private final Map<String, String> settings;

    private TransactionSettings(Map<String, String> settings) {
        this.settings = Collections.unmodifiableMap(settings);
    }

    public static TransactionSettings of(String name, String value) {
        return new TransactionSettings(new LinkedHashMap<>()).and(name, value);
    }

    /** lock_timeout and statement_timeout, in milliseconds (the form PostgreSQL reads back). */
    public static TransactionSettings timeouts(Duration lockTimeout, Duration statementTimeout) {
        return of("lock_timeout", millis(lockTimeout)).and("statement_timeout", millis(statementTimeout));
    }

    /** These settings and one more (a later value for the same name replaces the earlier one). */
    public TransactionSettings and(String name, String value) {
        Map<String, String> next = new LinkedHashMap<>(settings);
        next.put(name, value);
        return new TransactionSettings(next);
    }

    public Map<String, String> settings() {
        return settings;
    }

    /** Applies them through a template that joins the caller's transaction. */
    public void apply(JdbcTemplate jdbc) {
        jdbc.query(sql(), rs -> { }, parameters());
    }

    /** Applies them on a connection whose transaction the caller holds. */
    public void apply(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql())) {
            Object[] parameters = parameters();
            for (int i = 0; i < parameters.length; i++) {
                ps.setString(i + 1, (String) parameters[i]);
            }
            ps.execute();
        }
    }

    String sql() {
        return "SELECT " + String.join(", ", Collections.nCopies(settings.size(), "set_config(?, ?, true)"));
    }

    Object[] parameters() {
        List<String> out = new ArrayList<>();
        settings.forEach((name, value) -> {
            out.add(name);
            out.add(value);
        });
        return out.toArray();
    }

    private static String millis(Duration d) {
        return d.toMillis() + "ms";
    }
}
