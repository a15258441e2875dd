package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.TransactionSettings;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code migration plan}: what {@code start} and the backfill would do, found without changing anything
 * ({@link MigrationPlan}). It reads the catalog and v1, runs the mapping sample of {@code start}
 * ({@link MappingSample}, rolled back) and copies one chunk the way the backfill does ({@link Backfill#copyRange})
 * in a transaction that is rolled back, to time it. It records nothing either: not even the PENDING state row
 * that an action creates.
 */
@Service
public class MigrationPlanner {

    /** Failing sample rows listed one by one (the causes summarise all of them). */
    static final int FIRST_FAILURES = 10;

    /**
     * v2's indexes, its CHECK and FOREIGN KEY constraints (unique and primary keys are their indexes) and its
     * user triggers; parameter 1, 2 and 3: the target as regclass text. Returns kind, name, definition.
     */
    private static final String TARGET_ITEMS = """
            SELECT 'index' AS kind, i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x
              JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = CAST(? AS regclass)
            UNION ALL
            SELECT 'constraint', k.conname::text, pg_get_constraintdef(k.oid) FROM pg_constraint k
             WHERE k.conrelid = CAST(? AS regclass) AND k.contype IN ('c', 'f')
            UNION ALL
            SELECT 'trigger', t.tgname::text, pg_get_triggerdef(t.oid) FROM pg_trigger t
             WHERE t.tgrelid = CAST(? AS regclass) AND NOT t.tgisinternal
            ORDER BY 1, 2""";

    private static final Pattern FUNCTION = Pattern.compile("^CREATE (?:OR REPLACE )?FUNCTION (\\S+?)\\(");
    private static final Pattern TRIGGER = Pattern.compile("^CREATE TRIGGER (\\S+) ((?:BEFORE|AFTER) .+?) ON (\\S+)"
            + ".*?(FOR EACH (?:ROW|STATEMENT))", Pattern.DOTALL);

    private final MigrationSpecLoader specs;
    private final MigrationStore store;
    private final MappingSample sampler;
    private final Backfill backfill;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    MigrationPlanner(MigrationSpecLoader specs, MigrationStore store, MappingSample sampler, Backfill backfill,
                     DataSource dataSource, PlatformTransactionManager tm) {
        this.specs = specs;
        this.store = store;
        this.sampler = sampler;
        this.backfill = backfill;
        this.jdbc = new JdbcTemplate(dataSource);
        this.tx = new TransactionTemplate(tm);
    }

    /** The plan of {@code name}; an unknown migration or a bad spec is refused as by every action. */
    public MigrationPlan plan(String name) {
        Optional<MigrationStore.State> recorded = store.find(name);
        Phase phase = recorded.map(MigrationStore.State::phase).orElse(Phase.PENDING);
        if (phase == Phase.COMPLETED) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "migration " + name + " is COMPLETED: there is nothing"
                    + " left to plan (its source table is in schema archive)");
        }
        MigrationSpec spec = specs.load(name);
        MigrationSql sql = new MigrationSql(spec);
        List<String> problems = new ArrayList<>();
        if (!Action.START.allowedFrom(phase)) {
            problems.add("the migration is in phase " + phase + ", so start is refused: the objects below are installed"
                    + " already; roll it back first (`chatbatch migration rollback " + name + "`) to start again");
        } else if (Boolean.TRUE.equals(jdbc.queryForObject(sql.verify().targetHasRows(), Boolean.class))) {
            problems.add(spec.target().qualified() + " already holds rows, and start refuses to mirror into a table that does:"
                    + (phase == Phase.ROLLED_BACK ? " run `chatbatch migration rollback " + name + " --clean-target` to empty it"
                    : " empty it (TRUNCATE " + spec.target().qualified() + ", once you are sure nothing else writes it)"));
        }
        MigrationPlan.Rows rows = rows(sql);
        MappingSample.Result sampled = sampler.run(spec, sql);
        if (sampled.systematic()) {
            problems.add("the mapping fails on every sampled row no reject rule matches, so every row would be quarantined"
                    + " instead of copied; fix " + spec.file() + " (the field named under mapping sample)");
        }
        MigrationPlan.Sample sample = new MigrationPlan.Sample(sampled.sampled(), sampled.rejectedByRule(),
                sampled.failures().size(), sampled.causes(), sampled.failures().stream().limit(FIRST_FAILURES)
                .map(f -> new MigrationPlan.Failure(f.key(), f.field(), f.message())).toList());
        return new MigrationPlan(name, spec.file(), spec.source().qualified(), spec.target().qualified(), phase,
                objects(sql.mirror().installDualWrite()), targetHandling(sql), rows, sample, estimate(spec, sql, rows.toCopy()),
                problems);
    }

    /**
     * The functions and triggers the dual write's statements create, read from those very statements, so
     * the plan lists what start runs and nothing else. Functions are in schema chatbatch.
     */
    static List<MigrationPlan.InstalledObject> objects(List<String> installDualWrite) {
        List<MigrationPlan.InstalledObject> out = new ArrayList<>();
        for (String statement : installDualWrite) {
            Matcher f = FUNCTION.matcher(statement);
            Matcher t = TRIGGER.matcher(statement);
            if (f.find()) {
                out.add(new MigrationPlan.InstalledObject("function", f.group(1), null, null));
            } else if (t.find()) {
                out.add(new MigrationPlan.InstalledObject("trigger", t.group(1), t.group(3), t.group(2) + " " + t.group(4)));
            }
        }
        return out;
    }

    /**
     * v2's indexes, constraints and triggers, and what the backfill's copy does with each: today every one
     * is in place while it copies (each chunk's INSERT maintains the indexes and is checked row by row).
     */
    private MigrationPlan.TargetHandling targetHandling(MigrationSql sql) {
        String target = sql.targetRelation();
        List<MigrationPlan.TargetItem> items = jdbc.query(TARGET_ITEMS, (rs, i) -> new MigrationPlan.TargetItem(rs.getString(1),
                rs.getString(2), rs.getString(3), handling(rs.getString(1))), target, target, target);
        return new MigrationPlan.TargetHandling("indexes and constraints of " + sql.targetRelation()
                + " stay in place and are maintained during the copy", items);
    }

    /** What the copy does with an index, constraint or trigger of v2: the place a deferred index build would change. */
    private static String handling(String kind) {
        return switch (kind) {
            case "index" -> "maintained during the copy (every chunk's INSERT updates it)";
            case "constraint" -> "checked for every copied row (a row that fails it is quarantined)";
            default -> "fires for every copied row";
        };
    }

    /** Every v1 row by the reject rule it matches, counted on the table in one read-only scan. */
    private MigrationPlan.Rows rows(MigrationSql sql) {
        List<MigrationStatusService.ReasonCount> all = readOnly(() -> jdbc.query(sql.sample().rowsByRejectReason(),
                (rs, i) -> new MigrationStatusService.ReasonCount(rs.getString(1), rs.getLong(2))));
        long total = all.stream().mapToLong(MigrationStatusService.ReasonCount::rows).sum();
        long toCopy = all.stream().filter(r -> r.reason() == null).mapToLong(MigrationStatusService.ReasonCount::rows).sum();
        return new MigrationPlan.Rows(total, toCopy, all.stream().filter(r -> r.reason() != null).toList());
    }

    /** The rows a sampled chunk read and how long copying them took. */
    private record Timed(long seen, long nanos) {
    }

    private <T> T readOnly(Supplier<T> work) {
        TransactionTemplate ro = new TransactionTemplate(tx.getTransactionManager());
        ro.setReadOnly(true);
        return ro.execute(status -> {
            status.setRollbackOnly();
            return work.get();
        });
    }

    /**
     * Copies the first chunk (the spec's first chunk size) as the backfill would, rolled back, and extrapolates
     * its time per row to the rows to copy. Its rows are locked FOR SHARE while it copies, as by a backfill chunk.
     */
    private MigrationPlan.Estimate estimate(MigrationSpec spec, MigrationSql sql, long toCopy) {
        int partitions = spec.effectivePartitions();
        Timed copied = tx.execute(status -> {
            status.setRollbackOnly();
            TransactionSettings.timeouts(spec.timeouts().lockTimeout(), spec.timeouts().statementTimeout()).apply(jdbc);
            Statement chunkEnd = sql.backfill().chunkEnd(null, null, spec.chunk().size());
            List<String> end = jdbc.query(chunkEnd.sql(), rs -> rs.next() ? MigrationStore.list(rs.getArray(1)) : null,
                    chunkEnd.args());
            long t0 = System.nanoTime();
            return new Timed(backfill.copyRange(sql, null, end).seen(), System.nanoTime() - t0);
        });
        double seconds = copied.nanos() / 1e9;
        if (copied.seen() == 0) {
            return new MigrationPlan.Estimate(0, seconds, 0, 0, partitions, 0);
        }
        double rate = copied.seen() / Math.max(seconds, 1e-6);
        double total = toCopy / rate;
        return new MigrationPlan.Estimate(copied.seen(), seconds, rate, total, partitions, total / partitions);
    }
}
