package dev.chatbatch.db;

import java.time.Duration;

/**
 * The pause before trying again to reach a database that is unreachable or restarting (serve's start-up, the
 * logical capture's applier): one second after the first failure, doubled after each further one in a row, at
 * most {@link #MAX}, so a long outage costs a try every few seconds and a short one is noticed soon.
 */
public final class Backoff {

    public static final Duration FIRST = Duration.ofSeconds(1);
    public static final Duration MAX = Duration.ofSeconds(16);

    private Backoff() {
    }

    /** The pause after {@code failures} failures in a row (at least one). */
    public static Duration after(int failures) {
        long millis = FIRST.toMillis() << Math.min(Math.max(failures - 1, 0), 16);
        return Duration.ofMillis(Math.min(millis, MAX.toMillis()));
    }
}
