package dev.chatbatch.migration;

import dev.chatbatch.ReadOnlyBean;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Status of migrations from the persisted bookkeeping: cheap (a few indexed reads), safe to poll from
 * the CLI progress bar, the REST API and the metrics scrape, in any process.
 */
@ReadOnlyBean
@Service
public class MigrationStatusService {

    private final MigrationStore store;
    private final MigrationSpecLoader specs;
    private final DeferredIndexes indexes;
    private final LogicalCapture capture;

    public MigrationStatusService(MigrationStore store, MigrationSpecLoader specs, DeferredIndexes indexes,
                                  LogicalCapture capture) {
        this.store = store;
        this.specs = specs;
        this.indexes = indexes;
        this.capture = capture;
    }

    /**
     * The spec's SQL by migration and recorded spec hash: loading a spec checks it against the catalog (dozens of
     * statements), too much for a progress line polled every second while the indexes are rebuilt.
     */
    private final Map<String, MigrationSql> targets = new ConcurrentHashMap<>();

    /** The target table, for the progress of a running index build: only while one is recorded as building. */
    private MigrationSql target(String name, String specHash) {
        try {
            if (indexes.recorded(name).stream().noneMatch(o -> "building".equals(o.state()))) {
                return null;
            }
            return targets.computeIfAbsent(name + "\u0000" + specHash, k -> new MigrationSql(specs.load(name)));
        } catch (RuntimeException e) {
            return null; // a spec that no longer loads: status without the build's progress
        }
    }

    /**
     * Refuses (exit 2, naming file and key) a spec file that is malformed or holds an unknown key, for the
     * commands that show migrations: without it only the actions noticed. Not on the polling paths.
     */
    public void checkSpecs() {
        specs.check();
    }

    /** Every migration known from a spec file or from the database. */
    public List<MigrationStatus> list() {
        Set<String> names = new LinkedHashSet<>(specs.names().keySet());
        names.addAll(store.names());
        List<MigrationStatus> out = new ArrayList<>();
        for (String name : names) {
            out.add(status(name));
        }
        return out;
    }

    /** One migration; a spec never acted on shows PENDING with no rows. */
    public MigrationStatus status(String name) {
        MigrationStore.State state = store.find(name).orElse(null);
        if (state == null) {
            if (!specs.names().containsKey(name)) {
                throw new dev.chatbatch.NotFoundException("unknown migration '" + name + "'; known: "
                        + String.join(", ", specs.names().keySet()));
            }
            return new MigrationStatus(name, Phase.PENDING, 0, 0, 0, 0, null, false, null, 0, List.of(),
                    new MigrationStatus.Throttling(null, null, null, null), null, MigrationStatus.Capture.NONE);
        }
        List<MigrationStore.Partition> parts = store.partitions(name);
        long total = state.rowsTotal() == null ? parts.stream().mapToLong(MigrationStore.Partition::rowsTotal).sum() : state.rowsTotal();
        long copied = parts.stream().mapToLong(MigrationStore.Partition::rowsCopied).sum();
        long rejected = parts.stream().mapToLong(MigrationStore.Partition::rowsRejected).sum();
        long processed = copied + rejected;
        boolean allDone = !parts.isEmpty() && parts.stream().allMatch(MigrationStore.Partition::done);
        Phase phase = state.phase();
        boolean backfilled = phase.isBackfilled();
        double ratio = total == 0 ? (backfilled || allDone ? 1.0 : 0.0) : Math.min(1.0, (double) processed / total);
        if (backfilled || allDone) {
            ratio = 1.0;
        }
        double rate = 0;
        Long eta = null;
        if (state.runStartedAt() != null && state.runRowsAtStart() != null) {
            java.time.Instant end = phase == Phase.BACKFILLING ? state.dbNow()
                    : parts.stream().map(MigrationStore.Partition::updatedAt).max(java.time.Instant::compareTo).orElse(state.dbNow());
            double seconds = Duration.between(state.runStartedAt(), end).toMillis() / 1000.0;
            long done = processed - state.runRowsAtStart();
            if (seconds > 0 && done > 0) {
                rate = done / seconds;
                eta = phase == Phase.BACKFILLING ? Math.round(Math.max(0, total - processed) / rate) : 0L;
            }
        }
        List<MigrationStatus.PartitionStatus> partitions = parts.stream().map(p -> new MigrationStatus.PartitionStatus(p.no(),
                p.lowerKey(), p.upperKey(), p.lastKey(), p.rowsTotal(), p.rowsCopied(), p.rowsRejected(), p.done(), p.chunkSize(),
                p.updatedAt())).toList();
        boolean backfilling = phase == Phase.BACKFILLING;
        String throttle = backfilling ? state.throttleReason() : null;
        MigrationStatus.Throttling throttling = new MigrationStatus.Throttling(backfilling ? state.throttleSignal() : null,
                backfilling ? state.throttleAction() : null, backfilling ? state.throttleSince() : null, state.baseline());
        return new MigrationStatus(name, phase, total, copied, rejected, Math.round(rate * 10) / 10.0, eta, state.paused(),
                throttle, Math.round(ratio * 10000) / 10000.0, partitions, throttling, indexes.status(name, target(name, state.specHash())),
                capture.status(name, phase));
    }

    /** Phase transitions of a migration, oldest first. */
    public List<PhaseChange> history(String name) {
        return store.history(name);
    }

    /** The report of the last verify run, empty before the first (or for a migration never acted on). */
    public java.util.Optional<VerifyReport> lastVerify(String name) {
        return store.find(name).map(MigrationStore.State::lastVerifyReport);
    }

    /** Rejected rows by reason, most frequent first. */
    public List<ReasonCount> rejectsByReason(String name) {
        return store.rejectsByReason(name);
    }

    public record ReasonCount(String reason, long rows) {
    }
}
