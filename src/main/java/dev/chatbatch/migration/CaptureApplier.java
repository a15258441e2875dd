package dev.chatbatch.migration;

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
 * applies as changes commit; when it cannot read (another session reads the slot, the connection or the server
 * went away) it tries again after {@link #RETRY}: the slot keeps what was not confirmed.
 */
@Component
public class CaptureApplier {

    private static final Logger log = LoggerFactory.getLogger(CaptureApplier.class);
    /** The pause before a follower that could not read the slot tries again. */
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
     * per streak, and a slot another session reads only at debug level (it is applied there).
     */
    private void followOnce(String name, BooleanSupplier stop) {
        try {
            MigrationSpec spec = loaded.computeIfAbsent(name, specs::load);
            MigrationSql sql = new MigrationSql(spec);
            if (!capture.installed(sql)) {
                return;
            }
            capture.follow(spec, sql, stop, () -> {
                if (failing.remove(name) != null) {
                    log.info("capture of {} applies again", name);
                }
            });
        } catch (SQLException | RuntimeException e) {
            if (stop.getAsBoolean()) {
                return;
            }
            if (e instanceof SQLException q && "55006".equals(q.getSQLState())) {
                log.debug("replication slot of {} is read by another session: {}", name, e.getMessage());
                return;
            }
            loaded.remove(name); // the spec is read again next round, in case it was what changed
            if (failing.put(name, e.getMessage() == null ? "" : e.getMessage()) == null) {
                log.warn("cannot apply the captured changes of {} (kept in its replication slot, tried again): {}", name,
                        e.getMessage());
            }
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
                while (!stop) {
                    followOnce(name, () -> stop);
                    try {
                        Thread.sleep(RETRY.toMillis());
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
