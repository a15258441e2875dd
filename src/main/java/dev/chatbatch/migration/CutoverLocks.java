package dev.chatbatch.migration;

import dev.chatbatch.config.DurationRange;
import dev.chatbatch.db.TransactionSettings;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cutover's lock budget ({@code timeouts.cutover_lock_budget}): the most time one try of cutover may hold
 * up the application's writes to v1 and v2, queued and holding together. Cutover takes one lock, SHARE ROW EXCLUSIVE on both tables
 * ({@link MirrorStatements#lockTables}), and nothing stronger afterwards (it only creates triggers, which
 * take the same lock), so reads never wait for it; writes wait only while its request is queued or granted.
 *
 * <p>Each try waits for the lock at most a short lock_timeout (growing from {@link #FIRST_WAIT}, never above
 * the spec's lock_timeout), so a queued request never stays queued long; between tries the application's
 * queued writes drain while cutover sleeps. A try queues for half the budget at most; what it did not use
 * bounds the time the lock is then held: each statement under it gets the rest as its statement_timeout. A
 * busy application whose transactions last longer than one try is waited out over up to {@link #MAX_TRIES}
 * tries, each within the budget, before cutover gives up.
 */
final class CutoverLocks {

    static final Duration FIRST_WAIT = Duration.ofMillis(50);
    private static final Duration MIN_WAIT = Duration.ofMillis(10);
    private static final Duration MAX_SLEEP = Duration.ofSeconds(1);
    /** Tries of one cutover action before it refuses. */
    static final int MAX_TRIES = 15;

    /** A session in the way of the lock, as {@link MirrorStatements#lockBlockers} finds it. */
    record Blocker(int pid, String applicationName, String user, String state, String backendType, double transactionSeconds,
                   String locks, String query) {

        /** One line: who, in what state since when, holding what, doing what. */
        String describe() {
            String who = pid == 0 ? "a prepared transaction (see pg_prepared_xacts)" : "pid " + pid
                    + " (application_name '" + applicationName + "', user " + user + ", " + state
                    + (backendType.isEmpty() || backendType.equals("client backend") ? "" : ", " + backendType) + ")";
            return who + String.format(Locale.ROOT, ", in its transaction for %.1f s", transactionSeconds) + ", holds " + locks
                    + (query.isEmpty() ? "" : "; last statement: " + query);
        }
    }

    private final Duration budget;
    private final Duration lockTimeout;
    private long queuedNanos;
    private int tries;
    private Long holdDeadline;

    CutoverLocks(Duration budget, Duration lockTimeout) {
        this.budget = budget;
        this.lockTimeout = lockTimeout;
    }

    /**
     * How long the next try may wait for the lock: doubling from {@link #FIRST_WAIT}, capped by the spec's
     * lock_timeout and by half the budget; null after {@link #MAX_TRIES} tries.
     */
    Duration nextWait() {
        long left = Math.max(MIN_WAIT.toNanos(), budget.toNanos() / 2);
        if (tries >= MAX_TRIES) {
            return null;
        }
        long grown = FIRST_WAIT.toNanos() << Math.min(tries, 20);
        return Duration.ofNanos(Math.min(Math.min(grown, lockTimeout.toNanos()), left)).truncatedTo(ChronoUnit.MILLIS);
    }

    /** The pause before the next try, so the writes queued behind the last one drain first. */
    Duration backoff() {
        return Duration.ofMillis(Math.min(MAX_SLEEP.toMillis(), 100L << Math.min(tries - 1, 10)));
    }

    /**
     * Takes the write lock on both tables in the caller's transaction, waiting at most {@code wait}
     * (lock_timeout: a try not granted fails with SQLSTATE 55P03 and its transaction rolls back), and bounds
     * the statement that follows by what the try left of the budget ({@link #bound}).
     */
    void lock(JdbcTemplate jdbc, MirrorStatements mirror, Duration wait) {
        holdDeadline = null;
        TransactionSettings.of("lock_timeout", wait.toMillis() + "ms").apply(jdbc);
        long t0 = System.nanoTime();
        long queued;
        try {
            jdbc.execute(mirror.lockTables());
        } finally {
            queued = System.nanoTime() - t0;
            queuedNanos += queued;
            tries++;
        }
        holdDeadline = System.nanoTime() + Math.max(0, budget.toNanos() - queued);
        bound(jdbc);
    }

    /**
     * Before a statement under the lock: its statement_timeout is what is left of the budget, so holding the
     * lock never takes the total past it (a statement cancelled by it, SQLSTATE 57014, rolls everything back).
     */
    void bound(JdbcTemplate jdbc) {
        long left = Math.max(1, (holdDeadline - System.nanoTime()) / 1_000_000);
        TransactionSettings.of("statement_timeout", left + "ms").apply(jdbc);
    }

    /** Whether the last try got the lock (so a cancelled statement was one under it, cut off by the budget). */
    boolean held() {
        return holdDeadline != null;
    }

    int tries() {
        return tries;
    }

    Duration budget() {
        return budget;
    }

    /** {@code 0.35 s queued in all, each try within the 2s budget}, for progress lines and refusals. */
    String spent() {
        return String.format(Locale.ROOT, "%.2f s queued in all, each try within the %s budget", queuedNanos / 1e9,
                DurationRange.format(budget));
    }

    /** The sessions in the way now, from {@link MirrorStatements#lockBlockers}. */
    static List<Blocker> blockers(JdbcTemplate jdbc, MirrorStatements mirror) {
        Statement q = mirror.lockBlockers();
        List<Blocker> out = new ArrayList<>();
        jdbc.query(q.sql(), rs -> {
            out.add(new Blocker(rs.getInt("pid"), rs.getString("application_name"), rs.getString("usename"), rs.getString("state"),
                    rs.getString("backend_type"), rs.getDouble("xact_seconds"), rs.getString("locks"), rs.getString("query")));
        }, q.args());
        return out;
    }

    /** The sessions as one text, {@code none} when there are none. */
    static String describe(List<Blocker> blockers) {
        if (blockers.isEmpty()) {
            return "none";
        }
        List<String> lines = blockers.stream().map(Blocker::describe).toList();
        return String.join("; ", lines);
    }
}
