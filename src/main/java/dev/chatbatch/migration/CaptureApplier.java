package dev.chatbatch.migration;

import dev.chatbatch.db.Backoff;
import dev.chatbatch.db.DatabaseErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the logical capture's applier ({@link LogicalCapture#follow}) over time: in the background while a
 * backfill runs (started and stopped by the backfill job), and in {@code serve} for every migration that
 * captures ({@code CaptureSchedule} keeps one follower per migration). A follower reads the slot as a stream and
 * applies as changes commit; when it cannot read or apply (another session reads the slot, the connection or the
 * server went away) it closes its stream at once and tries again after a pause that grows while it keeps failing
 * ({@link Backoff}): the slot keeps what was not confirmed.
 */
@Component
public class CaptureApplier {

    private static final Logger log = LoggerFactory.getLogger(CaptureApplier.class);
    /** The pause before a follower that ended without failing (trigger mode, the slot read elsewhere) looks again. */
    static final Duration RETRY = Duration.ofSeconds(1);

    private final LogicalCapture capture;
    private final MigrationSpecLoader specs;
    private final MigrationStore store;
    /** Specs by migration, with the hash they were validated with: loading one checks it against the catalog. */
    private final Map<String, MigrationSpec> loaded = new ConcurrentHashMap<>();
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    /** serve's followers, by migration. */
    private final Map<String, Running> following = new ConcurrentHashMap<>();

    CaptureApplier(LogicalCapture capture, MigrationSpecLoader specs, MigrationStore store) {
        this.capture = capture;
        this.specs = specs;
        this.store = store;
    }

    /**
     * One follower for every migration between start and cutover (a migration in trigger mode has no slot, and
     * its follower only looks for one every {@link #RETRY}); followers of migrations past that stop.
     */
    public void followAll() {
        Set<String> capturing = new HashSet<>();
        for (String name : store.names()) {
            Phase phase = store.find(name).map(MigrationStore.State::phase).orElse(Phase.PENDING);
            if (phase.ordinal() >= Phase.DUAL_WRITE.ordinal() && phase.ordinal() < Phase.CUT_OVER.ordinal()) {
                capturing.add(name);
                following.computeIfAbsent(name, this::background);
            }
        }
        following.keySet().removeIf(name -> {
            if (capturing.contains(name)) {
                return false;
            }
            following.get(name).close();
            return true;
        });
    }

    /** Stops every follower {@link #followAll} started. */
    public void stopAll() {
        following.values().forEach(Running::close);
        following.clear();
    }

    /**
     * Follows migration {@code name}'s slot until {@code stop} (nothing in trigger mode); a failure is logged once
     * per streak, and a slot another session reads only at debug level (it is applied there). Returns false when
     * it failed, true otherwise; {@code opened} is told when the slot was opened.
     */
    private boolean followOnce(String name, BooleanSupplier stop, Runnable opened) {
        try {
            MigrationSpec spec = loaded.computeIfAbsent(name, specs::load);
            MigrationSql sql = new MigrationSql(spec);
            if (!capture.installed(sql)) {
                return true;
            }
            capture.follow(spec, sql, stop, () -> {
                opened.run();
                if (failing.remove(name) != null) {
                    log.info("capture of {} applies again", name);
                }
            });
            return true;
        } catch (SQLException | RuntimeException e) {
            if (stop.getAsBoolean()) {
                return true;
            }
            if (e instanceof SQLException q && "55006".equals(q.getSQLState())) {
                log.debug("replication slot of {} is read by another session: {}", name, e.getMessage());
                return true;
            }
            loaded.remove(name); // the spec is read again next round, in case it was what changed
            if (failing.put(name, e.getMessage() == null ? "" : e.getMessage()) == null) {
                log.warn("cannot apply the captured changes of {}: {}{}; they stay in its replication slot, tried again every"
                        + " {} s at most", name, DatabaseErrors.message(e), DatabaseErrors.connectionLost(e)
                        ? " (the database is unreachable or restarting: check that PostgreSQL is up)" : "", Backoff.MAX.toSeconds());
            }
            return false;
        }
    }

    /** A follower of {@code name} until closed (the backfill job's run, serve). */
    Running background(String name) {
        Running r = new Running(name);
        r.thread.start();
        return r;
    }

    /** A follower; {@link #close} stops it after the batch it is applying. */
    final class Running implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;

        private Running(String name) {
            this.thread = new Thread(() -> {
                int failures = 0;
                while (!stop) {
                    boolean[] opened = {false};
                    boolean ok = followOnce(name, () -> stop, () -> opened[0] = true);
                    failures = ok ? 0 : opened[0] ? 1 : failures + 1;
                    long until = System.nanoTime() + (failures == 0 ? RETRY : Backoff.after(failures)).toNanos();
                    try {
                        while (!stop && System.nanoTime() < until) {
                            Thread.sleep(50); // in slices, so close() ends a long back-off at once
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "capture-" + name);
            thread.setDaemon(true);
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(5_000);
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(30_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
