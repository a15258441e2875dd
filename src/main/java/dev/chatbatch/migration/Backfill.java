package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The backfill's work, called by the steps of the {@code migration-backfill} job inside their
 * transactions (the JdbcTemplate joins the step's transaction): fix the key ranges when the backfill
 * starts, copy one keyset chunk of one partition together with its progress row, and close the phase.
 */
@Component
class Backfill {

    private final MigrationStore store;
    private final MigrationSpecLoader specs;

    Backfill(MigrationStore store, MigrationSpecLoader specs) {
        this.store = store;
        this.specs = specs;
    }

    MigrationSpec spec(String name) {
        return specs.load(name);
    }

    /**
     * DUAL_WRITE → BACKFILLING: fixes the upper key bound (later rows arrive by dual write) and splits
     * the keys up to it into partitions of about equal size. BACKFILLING → BACKFILLING: a resumed run.
     */
    void prepare(String name, String actor) {
        MigrationSpec spec = specs.load(name);
        JdbcTemplate jdbc = store.jdbc();
        Phase phase = store.lockPhase(name);
        Action.BACKFILL.check(name, phase);
        MigrationStore.State state = store.state(name);
        if (!spec.hash().equals(state.specHash())) {
            throw specChanged(name);
        }
        if (phase == Phase.DUAL_WRITE) {
            MigrationSql sql = new MigrationSql(spec);
            int n = spec.effectivePartitions();
            List<Object[]> tiles = jdbc.query(sql.tiles(), (rs, i) -> new Object[]{
                    MigrationStore.list(rs.getArray(2)), rs.getLong(3)}, n);
            jdbc.update(MigrationSql.PARTITIONS_DELETE, name);
            List<String> lower = null;
            long total = 0;
            int no = 0;
            for (Object[] tile : tiles) {
                @SuppressWarnings("unchecked")
                List<String> upper = (List<String>) tile[0];
                long rows = (Long) tile[1];
                jdbc.update(MigrationSql.PARTITION_INSERT, name, no++, MigrationStore.pgArray(lower), MigrationStore.pgArray(upper),
                        rows, spec.chunk().size());
                lower = upper;
                total += rows;
            }
            jdbc.update(MigrationSql.STATE_BACKFILL_BOUNDS, MigrationStore.pgArray(lower), total, name);
            store.transition(name, phase, Phase.BACKFILLING, spec.hash(), actor, tiles.size() + " partition(s), " + total
                    + " rows up to key " + (lower == null ? "(none: source empty)" : String.join(",", lower)));
        } else {
            long left = store.partitions(name).stream().filter(p -> !p.done())
                    .mapToLong(p -> Math.max(0, p.rowsTotal() - p.rowsCopied() - p.rowsRejected())).sum();
            store.transition(name, phase, Phase.BACKFILLING, spec.hash(), actor, "resumed from the last committed chunks, about "
                    + left + " rows left");
        }
        jdbc.update(MigrationSql.STATE_RUN_STARTED, name, name);
    }

    /** The partitions still to copy. */
    List<Integer> openPartitions(String name) {
        return store.partitions(name).stream().filter(p -> !p.done()).map(MigrationStore.Partition::no).toList();
    }

    /** What one chunk did. */
    record ChunkResult(long seen, long rejected, long inserted, long rejectsWritten, boolean done, int nextChunkSize,
                       double seconds) {
    }

    /**
     * Copies the next chunk of one partition and records it, in the caller's transaction: a crash at any
     * instant leaves either both the rows and the progress, or neither.
     */
    ChunkResult copyChunk(MigrationSpec spec, MigrationSql sql, int partitionNo) {
        JdbcTemplate jdbc = store.jdbc();
        MigrationStore.Partition p = store.partition(spec.name(), partitionNo);
        if (p.done()) {
            return new ChunkResult(0, 0, 0, 0, true, p.chunkSize(), 0);
        }
        jdbc.queryForList(MigrationSql.SET_LOCAL_TIMEOUTS, spec.timeouts().lockTimeout().toMillis() + "ms",
                spec.timeouts().statementTimeout().toMillis() + "ms");
        List<String> from = p.lastKey() != null ? p.lastKey() : p.lowerKey();
        int size = p.chunkSize();
        long t0 = System.nanoTime();
        List<Object> endParams = new ArrayList<>(MigrationSql.rangeParams(from, p.upperKey()));
        endParams.add(size - 1);
        List<String> end = jdbc.query(sql.chunkEnd(from != null, true), rs -> rs.next() ? MigrationStore.list(rs.getArray(1)) : null,
                endParams.toArray());
        boolean done = end == null;
        List<String> last = done ? p.upperKey() : end;
        Map<String, Object> row = jdbc.queryForMap(sql.chunk(from != null, true), MigrationSql.rangeParams(from, last).toArray());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long seen = ((Number) row.get("seen")).longValue();
        long rejected = ((Number) row.get("rejected")).longValue();
        int next = adapt(spec.chunk(), size, seconds);
        jdbc.update(MigrationSql.PARTITION_PROGRESS, MigrationStore.pgArray(last), seen - rejected, rejected, done, next,
                spec.name(), partitionNo);
        return new ChunkResult(seen, rejected, ((Number) row.get("inserted")).longValue(),
                ((Number) row.get("rejects_written")).longValue(), done, next, seconds);
    }

    /** Chunk size toward the target duration, at most halved or doubled per step, within the spec's bounds. */
    static int adapt(MigrationSpec.Chunk chunk, int size, double seconds) {
        double factor = seconds <= 0 ? 2 : chunk.targetSeconds() / seconds;
        factor = Math.max(0.5, Math.min(2.0, factor));
        return (int) Math.max(chunk.minSize(), Math.min(chunk.maxSize(), Math.round(size * factor)));
    }

    /** BACKFILLING → BACKFILLED once every partition is done (no-op when the phase moved on, e.g. rollback). */
    String finish(String name, String actor) {
        MigrationSpec spec = specs.load(name);
        Phase phase = store.lockPhase(name);
        if (phase != Phase.BACKFILLING) {
            return "phase is " + phase + " (changed while the backfill ran); nothing to finish";
        }
        List<MigrationStore.Partition> parts = store.partitions(name);
        if (parts.stream().anyMatch(p -> !p.done())) {
            throw new OperatorException(ExitCode.JOB_FAILED, "backfill of " + name + " stopped before every partition was done;"
                    + " run `chatbatch migration backfill " + name + "` again to resume");
        }
        long copied = parts.stream().mapToLong(MigrationStore.Partition::rowsCopied).sum();
        long rejected = parts.stream().mapToLong(MigrationStore.Partition::rowsRejected).sum();
        String detail = copied + " rows copied, " + rejected + " rejected";
        store.transition(name, phase, Phase.BACKFILLED, spec.hash(), actor, detail);
        return detail;
    }

    static OperatorException specChanged(String name) {
        return new OperatorException(ExitCode.ILLEGAL_TRANSITION, "the spec of migration " + name + " changed since it was"
                + " started (tables, key, mappings or rules): the installed triggers follow the old one. Restore the spec,"
                + " or roll the migration back and start it again");
    }
}
