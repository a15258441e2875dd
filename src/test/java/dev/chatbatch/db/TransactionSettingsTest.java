package dev.chatbatch.db;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The SET LOCAL helper binds names and values (never writes them into the SQL) and applies them in one statement. */
class TransactionSettingsTest {

    @Test
    void timeoutsAreBoundInMilliseconds() {
        TransactionSettings s = TransactionSettings.timeouts(Duration.ofSeconds(2), Duration.ofMinutes(1));
        assertThat(s.sql()).isEqualTo("SELECT set_config(?, ?, true), set_config(?, ?, true)");
        assertThat(s.parameters()).containsExactly("lock_timeout", "2000ms", "statement_timeout", "60000ms");
    }

    @Test
    void valuesNeverReachTheSqlText() {
        TransactionSettings s = TransactionSettings.of("search_path", "pg_catalog, public").and("lock_timeout", "1s'; DROP");
        assertThat(s.sql()).doesNotContain("search_path", "pg_catalog", "DROP", "'");
        assertThat(s.parameters()).containsExactly("search_path", "pg_catalog, public", "lock_timeout", "1s'; DROP");
    }

    @Test
    void aLaterValueReplacesAnEarlierOne() {
        TransactionSettings s = TransactionSettings.of("lock_timeout", "1s").and("lock_timeout", "5s");
        assertThat(s.settings()).containsExactly(Map.entry("lock_timeout", "5s"));
    }
}
