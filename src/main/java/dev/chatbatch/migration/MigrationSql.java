package dev.chatbatch.migration;

/**
 * The SQL generated from one {@link MigrationSpec}: checks the migration's name ({@link MigrationSpec#NAME})
 * and hands out the generators, each for one concern, so the backfill, the mirrors and verify are written
 * from the same key and mapping expressions and cannot drift apart:
 * {@link ObjectNames} (every installed object's name), {@link KeyRanges} (key tuples, ranges, tiles),
 * {@link BackfillStatements}, {@link MirrorStatements} (triggers, quarantine functions, drops),
 * {@link VerifyStatements}, {@link SampleStatements} and {@link CompatView}. A generator method returns a {@link Statement}
 * with its parameters in bind order where the statement takes any.
 *
 * <p>Every identifier is validated and quoted ({@link dev.chatbatch.db.Identifiers}); spec expressions were
 * guarded and type-checked by {@link MigrationSpecLoader}. The migration name is the only value written into
 * SQL text, inside generated trigger bodies, where no parameter can be bound. Key values are always bound,
 * as text cast to the key column's type, one parameter per key column. Source rows are aliased {@code s},
 * target rows {@code t}: that is how spec expressions refer to them.
 */
public final class MigrationSql {

    private final ObjectNames names;
    private final KeyRanges keys;
    private final RowMapping rows;
    private final BackfillStatements backfill;
    private final MirrorStatements mirror;
    private final VerifyStatements verify;
    private final SampleStatements sample;
    private final CompatView compatView;

    public MigrationSql(MigrationSpec spec) {
        this.keys = new KeyRanges(spec);
        this.rows = new RowMapping(spec, keys);
        this.names = new ObjectNames(spec.name()); // refuses a name outside MigrationSpec.NAME
        this.backfill = new BackfillStatements(keys, rows, names);
        this.mirror = new MirrorStatements(spec, names, keys, rows);
        this.verify = new VerifyStatements(spec, keys, rows, names);
        this.sample = new SampleStatements(keys, rows);
        this.compatView = new CompatView(spec, names, keys, rows);
    }

    ObjectNames names() {
        return names;
    }

    /** Key ranges of the source: tiles for the partitions, verify's ranges and the mapping sample. */
    KeyRanges keys() {
        return keys;
    }

    BackfillStatements backfill() {
        return backfill;
    }

    MirrorStatements mirror() {
        return mirror;
    }

    VerifyStatements verify() {
        return verify;
    }

    SampleStatements sample() {
        return sample;
    }

    /** The view complete may leave named like v1 ({@code switch_window.compat_view}). */
    CompatView compatView() {
        return compatView;
    }

    /** The source table, quoted, as the catalog checks bind it (regclass text). */
    String sourceRelation() {
        return rows.source();
    }

    /** The target table, quoted, as the catalog checks bind it (regclass text). */
    String targetRelation() {
        return rows.target();
    }
}
