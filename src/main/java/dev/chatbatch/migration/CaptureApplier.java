package dev.chatbatch.migration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the logical capture's applier ({@link LogicalCapture#drain}) over time: in the background while a
 * backfill runs (started and stopped by the backfill job), and every few seconds in {@code serve}
 * ({@code CaptureSchedule}). A migration in trigger mode has no slot, and a round costs one catalog read.
 * A failed round is logged and tried again next round: the slot keeps what was not applied.
 */
@Component
public class CaptureApplier {

    private static final Logger log = LoggerFactory.getLogger(CaptureApplier.class);
    /** How often the background applier of a backfill run applies what was captured. */
    static final Duration BACKFILL_INTERVAL = Duration.ofSeconds(1);

    private final LogicalCapture capture;
    private final MigrationSpecLoader specs;
    private final MigrationStore store;
    /** Specs by migration, with the hash they were validated with: loading one checks it against the catalog. */
    private final Map<String, MigrationSpec> loaded = new ConcurrentHashMap<>();
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

    CaptureApplier(LogicalCapture capture, MigrationSpecLoader specs, MigrationStore store) {
        this.capture = capture;
        this.specs = specs;
        this.store = store;
    }

    /** One round: applies what every capturing migration holds now. Returns the changes applied. */
    public long applyAll() {
        long changes = 0;
        for (String name : store.names()) {
            Phase phase = store.find(name).map(MigrationStore.State::phase).orElse(Phase.PENDING);
            if (phase.ordinal() < Phase.DUAL_WRITE.ordinal() || phase.ordinal() >= Phase.CUT_OVER.ordinal()) {
                continue;
            }
            changes += applyOne(name);
        }
        return changes;
    }

    /** Applies what migration {@code name} holds now (0 in trigger mode); a failure is logged once per streak. */
    long applyOne(String name) {
        try {
            MigrationSpec spec = loaded.computeIfAbsent(name, specs::load);
            MigrationSql sql = new MigrationSql(spec);
            if (!capture.installed(sql)) {
                return 0;
            }
            long n = capture.drain(spec, sql).changes();
            if (failing.remove(name) != null) {
                log.info("capture of {} applies again", name);
            }
            return n;
        } catch (RuntimeException e) {
            loaded.remove(name); // the spec is read again next round, in case it was what changed
            if (failing.put(name, Boolean.TRUE) == null) {
                log.warn("cannot apply the captured changes of {} (kept in its replication slot, tried again): {}", name,
                        e.getMessage());
            }
            return 0;
        }
    }

    /** A background applier for {@code name} until closed (the backfill job's run). */
    Running background(String name) {
        Running r = new Running(name);
        r.thread.start();
        return r;
    }

    /** A background applier; {@link #close} stops it after its current round. */
    final class Running implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;

        private Running(String name) {
            this.thread = new Thread(() -> {
                while (!stop) {
                    applyOne(name);
                    try {
                        Thread.sleep(BACKFILL_INTERVAL.toMillis());
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
            thread.interrupt();
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
