package dev.chatbatch.migration;

import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.TransactionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The backfill's work, called by the steps of the {@code migration-backfill} job inside their
 * transactions (the JdbcTemplate joins the step's transaction): fix the key ranges when the backfill
 * starts, copy one keyset chunk of one partition together with its progress row, and close the phase.
 * The generated statements run on the source and target tables through its own template; the bookkeeping
 * goes through {@link MigrationStore}. Both join the same transaction.
 */
@Component
class Backfill {

    private static final Logger log = LoggerFactory.getLogger(Backfill.class);

    private final MigrationStore store;
    private final MigrationSpecLoader specs;
    private final JdbcTemplate jdbc;
    private final DeferredIndexes deferred;

    Backfill(MigrationStore store, MigrationSpecLoader specs, DataSource dataSource, DeferredIndexes deferred) {
        this.store = store;
        this.specs = specs;
        this.deferred = deferred;
        this.jdbc = new JdbcTemplate(dataSource);
    }

    MigrationSpec spec(String name) {
        return specs.load(name);
    }

    /**
     * DUAL_WRITE → BACKFILLING: fixes the upper key bound (later rows arrive by dual write) and splits
     * the keys up to it into partitions of about equal size. BACKFILLING → BACKFILLING: a resumed run.
     */
    void prepare(String name, String actor) throws InterruptedException {
        MigrationSpec spec = specs.load(name);
        // the load before this run copies anything: its throttle's baseline, sampled on a connection of its own
        // while the key range is split (this run's sessions are not counted, so the split does not skew it)
        CompletableFuture<Double> busySampled = CompletableFuture.supplyAsync(() -> {
            try {
                return Throttle.measureBusy(jdbc, Throttle.SAMPLES, Throttle.SAMPLE_GAP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the load baseline", e);
            }
        });
        MigrationStore.State state = store.lock(name);
        Phase phase = state.phase();
        Action.BACKFILL.check(name, phase);
        if (!spec.hash().equals(state.specHash())) {
            throw specChanged(name);
        }
        if (phase == Phase.DUAL_WRITE) {
            MigrationSql sql = new MigrationSql(spec);
            int n = spec.effectivePartitions();
            Statement tileQuery = sql.keys().tiles(n);
            List<MigrationStore.Tile> tiles = jdbc.query(tileQuery.sql(), (rs, i) -> new MigrationStore.Tile(
                    MigrationStore.list(rs.getArray(2)), rs.getLong(3)), tileQuery.args());
            store.planPartitions(name, tiles, spec.chunk().size());
            List<String> lower = tiles.isEmpty() ? null : tiles.get(tiles.size() - 1).upperKey();
            long total = tiles.stream().mapToLong(MigrationStore.Tile::rows).sum();
            store.transition(name, phase, Phase.BACKFILLING, spec.hash(), actor, tiles.size() + " partition(s), " + total
                    + " rows up to key " + (lower == null ? "(none: source empty)" : String.join(",", lower)));
        } else {
            long left = store.partitions(name).stream().filter(p -> !p.done())
                    .mapToLong(p -> Math.max(0, p.rowsTotal() - p.rowsCopied() - p.rowsRejected())).sum();
            store.transition(name, phase, Phase.BACKFILLING, spec.hash(), actor, "resumed from the last committed chunks, about "
                    + left + " rows left");
        }
        store.runStarted(name);
        double busy;
        try {
            busy = busySampled.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        MigrationStatus.Baseline baseline = Throttle.baseline(spec.throttle(), busy);
        store.recordBaseline(name, baseline);
        log.info("backfill of {}: throttle baseline {} busy backends of other clients; slows down above {}, stops at {}"
                + " (for at most {} s, then fails)", name, baseline.busyBackends(), baseline.slowAbove(), baseline.criticalAt(),
                baseline.criticalTimeoutSeconds());
        if (spec.throttle().maxActiveBackends() > 0) {
            log.warn("{}: throttle.max_active_backends ({}) is deprecated: an absolute limit that holds the backfill for as"
                    + " long as the database is that busy. Remove it (0) to rely on load_margin and critical_factor, which are"
                    + " relative to the load measured when the run starts", spec.file(), spec.throttle().maxActiveBackends());
        }
    }

    /** The partitions still to copy. */
    List<Integer> openPartitions(String name) {
        return store.partitions(name).stream().filter(p -> !p.done()).map(MigrationStore.Partition::no).toList();
    }

    /** What one chunk did; {@code partition} is where the partition stands after it, as its progress row now says. */
    record ChunkResult(long seen, long rejected, long inserted, long rejectsWritten, boolean done, int nextChunkSize,
                       double seconds, MigrationStore.Partition partition) {
    }

    /**
     * The settings of a chunk's transaction: the spec's timeouts, and {@code synchronous_commit = off}. An
     * asynchronous commit can be lost in a crash of the database server, but only together with everything the
     * same transaction wrote: a chunk's rows and its progress row commit as one, and WAL is replayed in order,
     * so after a crash the progress names exactly the last chunk whose rows survived and the resumed run copies
     * the lost chunks again. Nothing else waits on these commits (the logical capture flushes the WAL itself
     * before it reads the slot). {@code work_mem}: the chunk's locked rows stay in memory, not in a temporary file.
     */
    static TransactionSettings chunkSettings(MigrationSpec spec) {
        return TransactionSettings.timeouts(spec.timeouts().lockTimeout(), spec.timeouts().statementTimeout())
                .and("synchronous_commit", "off").and("work_mem", CHUNK_WORK_MEM);
    }

    /** Holds a chunk's locked rows (a few KB each, up to chunk.max_size of them) in memory. */
    static final String CHUNK_WORK_MEM = "64MB";

    /**
     * Copies the next chunk of partition {@code p} (as its worker last left it: only the worker writes its
     * progress row) and records it, in the caller's transaction: a crash at any instant leaves either both the
     * rows and the progress, or neither. The next chunk's size adapts toward {@code targetScale} × the spec's
     * target time (the throttle's). With {@code isolated} false the chunk runs as one statement with no
     * savepoint (the normal path: no extra round trip, no subtransaction); a row-level failure or a lock conflict
     * then throws {@link Retry}, and the caller runs the chunk again, in a new transaction, with {@code isolated}
     * true: under a savepoint, failing rows quarantined and lock conflicts retried ({@link #copyRange}). Any other
     * failure stops the partition with a message naming it, its key range and the database's message
     * ({@link BackfillFailure.ChunkFailed}).
     */
    ChunkResult copyChunk(MigrationSpec spec, MigrationSql sql, MigrationStore.Partition p, double targetScale, boolean isolated,
                          ChunkProfile profile) {
        if (p.done()) {
            return new ChunkResult(0, 0, 0, 0, true, p.chunkSize(), 0, p);
        }
        List<String> from = p.lastKey() != null ? p.lastKey() : p.lowerKey();
        List<String> last = p.upperKey();
        try {
            chunkSettings(spec).apply(jdbc);
            profile.charge(ChunkProfile.Part.SETTINGS);
            int size = p.chunkSize();
            long t0 = System.nanoTime();
            Statement chunkEnd = sql.backfill().chunkEnd(from, p.upperKey(), size);
            List<String> end = jdbc.query(chunkEnd.sql(), rs -> rs.next() ? MigrationStore.list(rs.getArray(1)) : null,
                    chunkEnd.args());
            profile.charge(ChunkProfile.Part.CHUNK_END);
            boolean done = end == null;
            last = done ? p.upperKey() : end;
            Copied c = isolated ? copyRange(sql, from, last) : chunk(sql, from, last);
            profile.charge(ChunkProfile.Part.CHUNK);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int next = adapt(spec.chunk(), size, seconds, spec.chunk().targetSeconds() * targetScale);
            long copied = c.seen() - c.rejected();
            store.recordChunk(spec.name(), p.no(), last, copied, c.rejected(), done, next);
            profile.charge(ChunkProfile.Part.PROGRESS);
            MigrationStore.Partition after = new MigrationStore.Partition(p.no(), p.lowerKey(), p.upperKey(),
                    last == null ? p.lastKey() : last, p.rowsTotal(), p.rowsCopied() + copied, p.rowsRejected() + c.rejected(),
                    done, next, p.updatedAt());
            return new ChunkResult(c.seen(), c.rejected(), c.inserted(), c.rejectsWritten(), done, next, seconds, after);
        } catch (DataAccessException e) {
            if (BackfillFailure.connectionLost(e)) {
                throw e; // named as a lost connection by BackfillFailure, as before
            }
            if (!isolated && (rowLevel(e) || DatabaseErrors.lockConflict(e))) {
                throw new Retry(e);
            }
            throw new BackfillFailure.ChunkFailed(spec.name(), p.no(), from, last, e);
        }
    }

    /** A chunk copied without a savepoint failed on a row or a lock: its transaction is rolled back and the chunk run isolated. */
    static final class Retry extends RuntimeException {
        Retry(DataAccessException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** What copying a key range did; quarantined rows count as seen, rejected and rejects written. */
    record Copied(long seen, long rejected, long inserted, long rejectsWritten, long quarantined) {
        Copied plus(Copied o) {
            return new Copied(seen + o.seen, rejected + o.rejected, inserted + o.inserted, rejectsWritten + o.rejectsWritten,
                    quarantined + o.quarantined);
        }
    }

    /**
     * Copies the source rows of the key range (from, to] (either bound null: open) with the chunk statement,
     * in the caller's transaction, under a savepoint. When the statement fails on a row-level error (the
     * mapping, a rule or the write into the target failing for some row: {@link #rowLevel}), the range is
     * split in halves by its keys, each half retried under the savepoint, down to single rows, and each
     * failing row is quarantined with the database's message; the rest of the range is copied. The backfill
     * and repair both copy through here.
     */
    Copied copyRange(MigrationSql sql, List<String> from, List<String> to) {
        for (int attempt = 1; ; attempt++) {
            jdbc.execute(BackfillStatements.SAVEPOINT);
            try {
                // the savepoint is left to the commit on success: no extra round trip on the normal path
                return chunk(sql, from, to);
            } catch (DataAccessException e) {
                if (DatabaseErrors.lockConflict(e) && attempt < LOCK_ATTEMPTS) {
                    // an application transaction held rows of the range past lock_timeout (or a deadlock was
                    // broken): give back what this attempt locked and try the range again a little later
                    undo();
                    backOff(attempt, e);
                    continue;
                }
                if (!rowLevel(e)) {
                    throw e;
                }
                undo();
                return isolate(sql, from, to, keys(sql, from, to), e);
            }
        }
    }

    /** Attempts of one range against lock conflicts with the application before the chunk fails. */
    static final int LOCK_ATTEMPTS = 5;

    private static void backOff(int attempt, DataAccessException cause) {
        try {
            Thread.sleep(250L * attempt);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    /** Back to before the failed attempt, the savepoint gone: isolate works at the level of the caller's transaction. */
    private void undo() {
        jdbc.execute(BackfillStatements.ROLLBACK_TO_SAVEPOINT);
        jdbc.execute(BackfillStatements.RELEASE_SAVEPOINT);
    }

    private Copied chunk(MigrationSql sql, List<String> from, List<String> to) {
        Statement chunk = sql.backfill().chunk(from, to);
        Map<String, Object> row = jdbc.queryForMap(chunk.sql(), chunk.args());
        return new Copied(((Number) row.get("seen")).longValue(), ((Number) row.get("rejected")).longValue(),
                ((Number) row.get("inserted")).longValue(), ((Number) row.get("rejects_written")).longValue(), 0);
    }

    private List<List<String>> keys(MigrationSql sql, List<String> from, List<String> to) {
        Statement keys = sql.backfill().chunkKeys(from, to);
        return jdbc.query(keys.sql(), (rs, i) -> MigrationStore.list(rs.getArray(1)), keys.args());
    }

    /**
     * The range (from, to], whose copy failed with {@code failure}, holding {@code keys} (listed and locked
     * before): bisected until the failing rows stand alone. A part is bounded by listed keys, so a row
     * inserted meanwhile falls into some part; a single-key part that fails is listed again, in case one did.
     */
    private Copied isolate(MigrationSql sql, List<String> from, List<String> to, List<List<String>> keys, DataAccessException failure) {
        if (keys.size() <= 1) {
            List<List<String>> now = keys(sql, from, to);
            if (now.size() > keys.size()) {
                return isolate(sql, from, to, now, failure);
            }
            if (now.isEmpty()) {
                throw failure; // nothing left to blame: not a row's failure after all
            }
            Statement quarantine = sql.backfill().quarantine(reason(failure), now.get(0));
            long written = jdbc.update(quarantine.sql(), quarantine.args());
            return new Copied(written, written, 0, written, written);
        }
        int mid = keys.size() / 2;
        List<String> split = keys.get(mid - 1);
        return part(sql, from, split, keys.subList(0, mid)).plus(part(sql, split, to, keys.subList(mid, keys.size())));
    }

    private Copied part(MigrationSql sql, List<String> from, List<String> to, List<List<String>> keys) {
        jdbc.execute(BackfillStatements.SAVEPOINT);
        try {
            Copied c = chunk(sql, from, to);
            jdbc.execute(BackfillStatements.RELEASE_SAVEPOINT);
            return c;
        } catch (DataAccessException e) {
            if (!rowLevel(e)) {
                throw e;
            }
            undo();
            return isolate(sql, from, to, keys, e);
        }
    }

    /**
     * A failure caused by the data of some row, which copying the other rows without it avoids: data
     * exceptions (22: division by zero, bad casts, out of range), integrity violations of the target (23:
     * NOT NULL, CHECK, another unique index), cardinality (21), program limits (54: a row too big), errors
     * raised by functions the expressions call (P0, 38, 39, 2F) and WITH CHECK OPTION (44). Not lock or
     * statement timeouts, deadlocks, serialization failures, lost connections or resource exhaustion: those
     * stop the backfill as before, to be resumed.
     */
    static boolean rowLevel(Throwable e) {
        String state = DatabaseErrors.sqlState(e);
        if (state == null || state.length() != 5) {
            return false;
        }
        return switch (state.substring(0, 2)) {
            case "21", "22", "23", "2F", "38", "39", "44", "54", "P0" -> true;
            default -> false;
        };
    }

    /** The database's message and SQLSTATE, the reason a quarantined row is kept under. */
    static String reason(Throwable e) {
        return BackfillFailure.databaseMessage(e);
    }

    /** Chunk size toward the target duration, at most halved or doubled per step, within the spec's bounds. */
    static int adapt(MigrationSpec.Chunk chunk, int size, double seconds) {
        return adapt(chunk, size, seconds, chunk.targetSeconds());
    }

    /** {@link #adapt(MigrationSpec.Chunk, int, double)} toward another target (smaller while the throttle slows down). */
    static int adapt(MigrationSpec.Chunk chunk, int size, double seconds, double targetSeconds) {
        double factor = seconds <= 0 ? 2 : targetSeconds / seconds;
        factor = Math.max(0.5, Math.min(2.0, factor));
        return (int) Math.max(chunk.minSize(), Math.min(chunk.maxSize(), Math.round(size * factor)));
    }

    /**
     * After the last chunk, still BACKFILLING (so a crash here resumes with `backfill`): the indexes and foreign keys
     * start deferred, built one at a time ({@link DeferredIndexes#rebuild}). Nothing when the phase moved on or a
     * partition is still open (finish says so).
     */
    void rebuildIndexes(String name) {
        MigrationSpec spec = specs.load(name);
        if (store.state(name).phase() != Phase.BACKFILLING || store.partitions(name).stream().anyMatch(p -> !p.done())) {
            return;
        }
        deferred.rebuild(spec, new MigrationSql(spec));
    }

    /**
     * BACKFILLING → BACKFILLED once every partition is done. When the phase moved on while the workers
     * copied (only a rollback can), the run failed: scripts chaining {@code backfill && verify} must stop.
     */
    String finish(String name, String actor) {
        MigrationSpec spec = specs.load(name);
        Phase phase = store.lock(name).phase();
        if (phase != Phase.BACKFILLING) {
            throw new BackfillFailure.PhaseChanged(name, phase);
        }
        List<MigrationStore.Partition> parts = store.partitions(name);
        if (parts.stream().anyMatch(p -> !p.done())) {
            throw new OperatorException(ExitCode.JOB_FAILED, "backfill of " + name + " stopped before every partition was done;"
                    + " run `chatbatch migration backfill " + name + "` again to resume");
        }
        long copied = parts.stream().mapToLong(MigrationStore.Partition::rowsCopied).sum();
        long rejected = parts.stream().mapToLong(MigrationStore.Partition::rowsRejected).sum();
        long errors = store.mappingErrors(name);
        String detail = copied + " rows copied, " + rejected + " rejected" + (errors == 0 ? ""
                : " (" + errors + " of them quarantined because their mapping or write failed: chatbatch.migration_rejects"
                + " kind 'error', reason = the database's message)");
        store.transition(name, phase, Phase.BACKFILLED, spec.hash(), actor, detail);
        return detail;
    }

    static OperatorException specChanged(String name) {
        return new OperatorException(ExitCode.ILLEGAL_TRANSITION, "the spec of migration " + name + " changed since it was"
                + " started (tables, key, mappings or rules): the installed triggers follow the old one. Restore the spec,"
                + " or roll the migration back and start it again");
    }
}
