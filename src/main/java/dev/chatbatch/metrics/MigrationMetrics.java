package dev.chatbatch.metrics;

import dev.chatbatch.migration.MigrationStatus;
import dev.chatbatch.migration.MigrationStatusService;
import dev.chatbatch.migration.Phase;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The migration series of SPEC §8, from {@link MigrationStatusService} (the persisted bookkeeping), so a
 * backfill running in another process shows: {@code chatbatch_migration_phase{migration,phase}} (1 for
 * the current phase, 0 for every other), {@code _rows_total}, {@code _rows_copied}, {@code _rows_rejected},
 * {@code _progress_ratio}, {@code _eta_seconds} (absent while unknown), {@code _rows_per_second},
 * {@code _paused} and {@code chatbatch_migration_throttled{migration,reason}} (1 with the reason while the
 * backfill is throttled, 0 with reason "none" otherwise), and the throttle's signal against its baseline:
 * {@code chatbatch_migration_throttle_signal{migration,signal,action}} (1 for the signal acting now, with
 * action slow or stop; signal "none" otherwise), {@code chatbatch_migration_throttle_baseline{migration,signal}}
 * (busy backends of other clients and chunk milliseconds per 1000 rows, measured when the run started) and
 * {@code chatbatch_migration_throttle_threshold{migration,signal,level}} (busy backends where the backfill slows
 * down and where it stops); the logical capture's {@code chatbatch_migration_capture_lag_bytes},
 * {@code _capture_lag_seconds} (absent while not measurable), {@code _capture_retained_wal_bytes} and
 * {@code _capture_unconsumed} (1 while status warns that the slot keeps WAL and nobody applies it), per
 * migration with a slot.
 *
 * <p>{@code chatbatch_migration_rows_total} is typed counter: the Prometheus client reserves the
 * {@code _total} suffix for counters (a gauge of that name would lose it).
 */
@Component
@ConditionalOnWebApplication
class MigrationMetrics implements MeterBinder, RefreshingMetrics {

    private final MigrationStatusService service;
    private final Map<String, MigrationStatus> snapshot = new ConcurrentHashMap<>();
    private final Set<String> countersRegistered = ConcurrentHashMap.newKeySet();
    private volatile MeterRegistry registry;
    private LiveGauge phase;
    private LiveGauge copied;
    private LiveGauge rejected;
    private LiveGauge ratio;
    private LiveGauge eta;
    private LiveGauge rate;
    private LiveGauge paused;
    private LiveGauge throttled;
    private LiveGauge throttleSignal;
    private LiveGauge throttleBaseline;
    private LiveGauge throttleThreshold;
    private LiveGauge captureLagBytes;
    private LiveGauge captureLagSeconds;
    private LiveGauge captureRetained;
    private LiveGauge captureUnconsumed;
    private LiveGauge rebuildObjects;
    private LiveGauge buildRatio;

    MigrationMetrics(MigrationStatusService service) {
        this.service = service;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        phase = new LiveGauge(registry, "chatbatch.migration.phase", "1 for the migration's current phase, 0 for the others");
        copied = new LiveGauge(registry, "chatbatch.migration.rows.copied", "Source rows copied to the target by the backfill");
        rejected = new LiveGauge(registry, "chatbatch.migration.rows.rejected", "Source rows refused by the reject rules");
        ratio = new LiveGauge(registry, "chatbatch.migration.progress.ratio", "Backfill progress, 0..1");
        eta = new LiveGauge(registry, "chatbatch.migration.eta.seconds", "Estimated seconds until the backfill ends");
        rate = new LiveGauge(registry, "chatbatch.migration.rows.per.second", "Rows per second of the current or last backfill run");
        paused = new LiveGauge(registry, "chatbatch.migration.paused", "1 while an operator paused the migration");
        throttled = new LiveGauge(registry, "chatbatch.migration.throttled", "1 while the backfill is throttled, with the reason");
        throttleSignal = new LiveGauge(registry, "chatbatch.migration.throttle.signal",
                "1 for the throttle signal acting now (busy_backends, chunk_time, sharing, replication_lag, throttle_query), with its action");
        throttleBaseline = new LiveGauge(registry, "chatbatch.migration.throttle.baseline",
                "The throttle's baseline measured when the backfill run started, per signal");
        throttleThreshold = new LiveGauge(registry, "chatbatch.migration.throttle.threshold",
                "Busy backends of other clients above which the backfill slows down (level slow) and where it stops (critical)");
        bindCapture(registry);
    }

    private void bindCapture(MeterRegistry registry) {
        captureLagBytes = new LiveGauge(registry, "chatbatch.migration.capture.lag.bytes",
                "WAL bytes written since the logical capture's slot was last confirmed");
        captureLagSeconds = new LiveGauge(registry, "chatbatch.migration.capture.lag.seconds",
                "Age of the oldest captured transaction not applied to the target yet");
        captureRetained = new LiveGauge(registry, "chatbatch.migration.capture.retained.wal.bytes",
                "WAL the server keeps on disk for the logical capture's slot");
        captureUnconsumed = new LiveGauge(registry, "chatbatch.migration.capture.unconsumed",
                "1 while the capture's slot keeps WAL and nobody applies it");
        rebuildObjects = new LiveGauge(registry, "chatbatch.migration.index.rebuild.objects",
                "Indexes and foreign keys of the target deferred at start, by state (deferred, building, done)");
        buildRatio = new LiveGauge(registry, "chatbatch.migration.index.build.ratio",
                "The running build of a deferred index, 0..1 of its current phase's blocks (pg_stat_progress_create_index)");
    }

    @Override
    public void refresh() {
        if (registry == null) {
            return;
        }
        Map<String, MigrationStatus> fresh = new HashMap<>();
        for (MigrationStatus s : service.list()) {
            fresh.put(s.name(), s);
        }
        snapshot.putAll(fresh);
        snapshot.keySet().retainAll(fresh.keySet());
        Map<Tags, Double> phases = new HashMap<>();
        Map<Tags, Double> copiedRows = new HashMap<>();
        Map<Tags, Double> rejectedRows = new HashMap<>();
        Map<Tags, Double> ratios = new HashMap<>();
        Map<Tags, Double> etas = new HashMap<>();
        Map<Tags, Double> rates = new HashMap<>();
        Map<Tags, Double> pauses = new HashMap<>();
        Map<Tags, Double> throttles = new HashMap<>();
        Map<Tags, Double> signals = new HashMap<>();
        Map<Tags, Double> baselines = new HashMap<>();
        Map<Tags, Double> thresholds = new HashMap<>();
        Map<Tags, Double> lagBytes = new HashMap<>();
        Map<Tags, Double> lagSeconds = new HashMap<>();
        Map<Tags, Double> retained = new HashMap<>();
        Map<Tags, Double> unconsumed = new HashMap<>();
        Map<Tags, Double> rebuilds = new HashMap<>();
        Map<Tags, Double> builds = new HashMap<>();
        for (MigrationStatus s : fresh.values()) {
            Tags tags = Tags.of("migration", s.name());
            for (Phase p : Phase.values()) {
                phases.put(tags.and("phase", p.name()), p == s.phase() ? 1.0 : 0.0);
            }
            copiedRows.put(tags, (double) s.rowsCopied());
            rejectedRows.put(tags, (double) s.rowsRejected());
            ratios.put(tags, s.progressRatio());
            if (s.etaSeconds() != null) {
                etas.put(tags, s.etaSeconds().doubleValue());
            }
            rates.put(tags, s.rowsPerSecond());
            pauses.put(tags, s.paused() ? 1.0 : 0.0);
            boolean isThrottled = s.throttleReason() != null && !s.throttleReason().isBlank();
            throttles.put(tags.and("reason", isThrottled ? s.throttleReason() : "none"), isThrottled ? 1.0 : 0.0);
            MigrationStatus.Throttling t = s.throttle();
            boolean acting = t != null && t.signal() != null;
            signals.put(tags.and("signal", acting ? t.signal() : "none").and("action", acting ? t.action() : "none"), acting ? 1.0 : 0.0);
            MigrationStatus.Baseline b = t == null ? null : t.baseline();
            if (b != null) {
                baselines.put(tags.and("signal", "busy_backends"), b.busyBackends());
                if (b.chunkMillisPerThousandRows() != null) {
                    baselines.put(tags.and("signal", "chunk_time"), b.chunkMillisPerThousandRows());
                }
                thresholds.put(tags.and("signal", "busy_backends").and("level", "slow"), b.slowAbove());
                thresholds.put(tags.and("signal", "busy_backends").and("level", "critical"), b.criticalAt());
            }
            MigrationStatus.Capture c = s.capture();
            if (c != null && "logical".equals(c.mode())) {
                lagBytes.put(tags, (double) c.lagBytes());
                if (c.lagSeconds() != null) {
                    lagSeconds.put(tags, c.lagSeconds());
                }
                retained.put(tags, (double) c.retainedWalBytes());
                unconsumed.put(tags, c.warning() == null ? 0.0 : 1.0);
            }
            rebuild(s.indexes(), tags, rebuilds, builds);
            String name = s.name();
            if (countersRegistered.add(name)) {
                FunctionCounter.builder("chatbatch.migration.rows", snapshot,
                                m -> m.containsKey(name) ? m.get(name).rowsTotal() : Double.NaN)
                        .description("Source rows the backfill covers").tags(tags).register(registry);
            }
        }
        phase.update(phases);
        copied.update(copiedRows);
        rejected.update(rejectedRows);
        ratio.update(ratios);
        eta.update(etas);
        rate.update(rates);
        paused.update(pauses);
        throttled.update(throttles);
        throttleSignal.update(signals);
        throttleBaseline.update(baselines);
        throttleThreshold.update(thresholds);
        captureLagBytes.update(lagBytes);
        captureLagSeconds.update(lagSeconds);
        captureRetained.update(retained);
        captureUnconsumed.update(unconsumed);
        rebuildObjects.update(rebuilds);
        buildRatio.update(builds);
    }

    /** The deferred indexes' rebuild: objects per state, and the running build's progress. Nothing when none were deferred. */
    private static void rebuild(MigrationStatus.IndexRebuild r, Tags tags, Map<Tags, Double> objects, Map<Tags, Double> builds) {
        if (r == null || r.total() == 0) {
            return;
        }
        for (String state : List.of("deferred", "building", "done")) {
            objects.put(tags.and("state", state), (double) r.objects().stream().filter(o -> state.equals(o.state())).count());
        }
        MigrationStatus.BuildProgress b = r.current();
        if (b != null && !b.index().isEmpty() && b.blocksTotal() > 0) {
            builds.put(tags.and("index", b.index()), Math.min(1.0, (double) b.blocksDone() / b.blocksTotal()));
        }
    }
}
