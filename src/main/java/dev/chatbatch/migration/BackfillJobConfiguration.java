package dev.chatbatch.migration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.job.parameters.DefaultJobParametersValidator;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code migration-backfill} job (parameter {@code migration=<name>}, optional {@code actor}):
 * prepare (fix the key ranges, enter BACKFILLING) → copy (one worker per open key-range partition, in
 * parallel; each worker copies keyset chunks until its range is done) → indexes (rebuild what start deferred)
 * → finish (enter BACKFILLED).
 * Launched through {@link dev.chatbatch.batch.JobRunner}, so a second concurrent backfill is refused.
 */
@Configuration(proxyBeanMethods = false)
class BackfillJobConfiguration {

    static final String JOB = "migration-backfill";
    private static final Logger log = LoggerFactory.getLogger(BackfillJobConfiguration.class);

    @Bean
    Job migrationBackfillJob(JobRepository repository, Step migrationBackfillPrepareStep, Step migrationBackfillCopyStep,
                             Step migrationBackfillIndexesStep, Step migrationBackfillFinishStep, CaptureApplier applier) {
        // logical capture: the captured changes are applied while the run copies, not only at verify
        Map<Long, CaptureApplier.Running> appliers = new java.util.concurrent.ConcurrentHashMap<>();
        return new JobBuilder(JOB, repository)
                .listener(new JobExecutionListener() {
                    @Override
                    public void beforeJob(JobExecution e) {
                        appliers.put(e.getId(), applier.background(e.getJobParameters().getString("migration")));
                    }

                    @Override
                    public void afterJob(JobExecution e) {
                        CaptureApplier.Running r = appliers.remove(e.getId());
                        if (r != null) {
                            r.close();
                        }
                    }
                })
                .validator(new DefaultJobParametersValidator(new String[]{"migration"}, new String[]{"actor", "run.at"}))
                .start(migrationBackfillPrepareStep)
                .next(migrationBackfillCopyStep)
                .next(migrationBackfillIndexesStep)
                .next(migrationBackfillFinishStep)
                .build();
    }

    @Bean
    Step migrationBackfillPrepareStep(JobRepository repository, PlatformTransactionManager tm, Backfill backfill) {
        return new StepBuilder(JOB + "-prepare", repository).tasklet((contribution, context) -> {
            backfill.prepare(param(context, "migration"), actor(context));
            return RepeatStatus.FINISHED;
        }, tm).allowStartIfComplete(true).build();
    }

    @Bean
    Step migrationBackfillCopyStep(JobRepository repository, Partitioner migrationBackfillPartitioner,
                                   Step migrationBackfillPartitionStep, ThreadPoolTaskExecutor migrationBackfillExecutor) {
        return new StepBuilder(JOB + "-copy", repository)
                .partitioner(JOB + "-partition", migrationBackfillPartitioner)
                .step(migrationBackfillPartitionStep)
                .taskExecutor(migrationBackfillExecutor)
                // no gridSize: the partitioner makes one worker per open partition, however many that is
                // status only: summing the workers' counts into this step as well would report every
                // row twice in the job's rowsAffected (the sum of all steps' write counts)
                .aggregator((result, executions) -> executions.forEach(e -> {
                    result.setStatus(BatchStatus.max(result.getStatus(), e.getStatus()));
                    result.setExitStatus(result.getExitStatus().and(e.getExitStatus()));
                    e.getFailureExceptions().forEach(result::addFailureException);
                }))
                .build();
    }

    /**
     * Rebuilds the indexes and foreign keys start deferred ({@link DeferredIndexes}), after the last chunk. Without a
     * transaction of its own: CREATE INDEX CONCURRENTLY cannot run in one, and a step transaction left open would be
     * one of the transactions the build waits for.
     */
    @Bean
    Step migrationBackfillIndexesStep(JobRepository repository, Backfill backfill) {
        return new StepBuilder(JOB + "-indexes", repository).tasklet((contribution, context) -> {
            backfill.rebuildIndexes(param(context, "migration"));
            return RepeatStatus.FINISHED;
        }, new ResourcelessTransactionManager()).build();
    }

    @Bean
    Step migrationBackfillFinishStep(JobRepository repository, PlatformTransactionManager tm, Backfill backfill) {
        return new StepBuilder(JOB + "-finish", repository).tasklet((contribution, context) -> {
            String detail = backfill.finish(param(context, "migration"), actor(context));
            log.info("backfill finished: {}", detail);
            return RepeatStatus.FINISHED;
        }, tm).build();
    }

    /**
     * A worker's step has no transaction of its own: the worker commits each chunk in a transaction of its own
     * and returns to Spring Batch between slices of chunks ({@link BackfillWorker}).
     */
    @Bean
    Step migrationBackfillPartitionStep(JobRepository repository, Tasklet migrationBackfillWorker) {
        return new StepBuilder(JOB + "-partition", repository).tasklet(migrationBackfillWorker, new ResourcelessTransactionManager())
                .build();
    }

    /** One worker step per partition that is not done yet (the partitions were fixed by prepare). */
    @Bean
    @StepScope
    Partitioner migrationBackfillPartitioner(Backfill backfill, @Value("#{jobParameters['migration']}") String migration) {
        return gridSize -> {
            Map<String, ExecutionContext> out = new LinkedHashMap<>();
            for (int no : backfill.openPartitions(migration)) {
                ExecutionContext ctx = new ExecutionContext();
                ctx.putInt("partition", no);
                out.put("partition" + no, ctx);
            }
            return out;
        };
    }

    @Bean
    @StepScope
    Tasklet migrationBackfillWorker(Backfill backfill, MigrationStore store, DataSource dataSource, PlatformTransactionManager tm,
                                    @Value("#{jobParameters['migration']}") String migration,
                                    @Value("#{stepExecutionContext['partition']}") Integer partition) {
        return new BackfillWorker(backfill, store, new JdbcTemplate(dataSource), new TransactionTemplate(tm), migration, partition);
    }

    /** Partitions run on their own threads; more than 12 are refused by the spec loader (pool of 16 connections). */
    @Bean
    ThreadPoolTaskExecutor migrationBackfillExecutor() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(12);
        executor.setMaxPoolSize(12);
        executor.setAllowCoreThreadTimeOut(true);
        executor.setKeepAliveSeconds(5);
        executor.setThreadNamePrefix("backfill-");
        executor.setDaemon(true);
        return executor;
    }

    private static String param(ChunkContext context, String name) {
        Object v = context.getStepContext().getJobParameters().get(name);
        return v == null ? null : v.toString();
    }

    private static String actor(ChunkContext context) {
        String actor = param(context, "actor");
        return actor == null ? "job " + JOB : actor;
    }

    /**
     * Copies one partition, each chunk in a transaction of its own, a slice of chunks ({@link #SLICE_NANOS}) per
     * call: Spring Batch records the counts and sees a stop request between slices, so its bookkeeping is paid
     * once a slice, not once a chunk. Before each chunk the {@link Throttle} says go, slow down (a smaller chunk
     * target, then a pause bounded by the floor rate) or stop (wait and check again); a stop on a level relative
     * to the run's baseline that lasts longer than {@code throttle.critical_timeout} fails the partition
     * ({@link Throttle.CriticalLoad}). The worker keeps its partition's progress between chunks: it is the only
     * writer of that row, so what it keeps is what the row says.
     */
    static final class BackfillWorker implements Tasklet {
        /** How often a changing reason (its level moves) is written while the signal and action stay the same. */
        private static final long REWRITE_NANOS = 2_000_000_000L;
        /** How long one call copies before handing back to Spring Batch (a stop is seen within about this). */
        static final long SLICE_NANOS = 1_000_000_000L;
        private final Backfill backfill;
        private final MigrationStore store;
        /** For the throttle's reads of pg_stat_activity and the spec's throttle query; joins the chunk's transaction. */
        private final JdbcTemplate jdbc;
        private final TransactionTemplate tx;
        private final String migration;
        private final int partition;
        private final ChunkProfile profile = new ChunkProfile();
        private MigrationSpec spec;
        private MigrationSql sql;
        private Throttle throttle;
        private int partitions;
        private MigrationStore.Partition progress;
        private String lastReason;
        private String lastKey;
        private long lastWritten;
        private long stoppedSince;
        private long pauseMillis;
        /** What the last chunk's transaction measured, written after it ends ({@link #recordOutsideChunk}). */
        private Throttle.Level measured;
        private boolean levelMeasured;
        private Double chunkBaseline;

        BackfillWorker(Backfill backfill, MigrationStore store, JdbcTemplate jdbc, TransactionTemplate tx, String migration,
                       int partition) {
            this.backfill = backfill;
            this.store = store;
            this.jdbc = jdbc;
            this.tx = tx;
            this.migration = migration;
            this.partition = partition;
        }

        /** A pass that copied nothing: paused, or the throttle says stop. */
        private static final Backfill.ChunkResult WAIT = new Backfill.ChunkResult(0, 0, 0, 0, false, 0, 0, null);

        /** What one pass of the loop did. */
        private enum Outcome { COPIED, WAITED, FINISHED }

        @Override
        public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
            if (spec == null) {
                profile.start();
                spec = backfill.spec(migration);
                sql = new MigrationSql(spec);
                throttle = new Throttle(spec.throttle(), store.state(migration).baseline());
                partitions = Math.max(1, backfill.openPartitions(migration).size());
                progress = store.partition(migration, partition);
                profile.start();
            } else {
                profile.charge(ChunkProfile.Part.BATCH);
            }
            long until = System.nanoTime() + SLICE_NANOS;
            do {
                if (pauseMillis > 0) {
                    // between two transactions: the wait holds no snapshot and no lock
                    long pause = pauseMillis;
                    pauseMillis = 0;
                    Thread.sleep(pause);
                    profile.charge(ChunkProfile.Part.PAUSE);
                }
                Outcome o;
                try {
                    o = chunk(contribution, false);
                } catch (Backfill.Retry retry) {
                    o = chunk(contribution, true); // rolled back: again under a savepoint, failing rows quarantined
                }
                if (o == Outcome.FINISHED) {
                    profile.log(partition);
                    return RepeatStatus.FINISHED;
                }
            } while (System.nanoTime() < until);
            return RepeatStatus.CONTINUABLE;
        }

        /** One chunk, or one check that says wait, in a transaction of its own. */
        private Outcome chunk(StepContribution contribution, boolean isolated) {
            Backfill.ChunkResult r;
            try {
                r = tx.execute(status -> {
                    // FOR KEY SHARE on the state row: rollback/cutover (FOR UPDATE) wait for this chunk, and the
                    // next chunk sees their phase; pause and throttle updates do not wait.
                    MigrationStore.Gate gate = store.lockPhaseShared(migration);
                    profile.charge(ChunkProfile.Part.GATE);
                    if (gate.phase() != Phase.BACKFILLING) {
                        return null;
                    }
                    if (gate.paused()) {
                        stoppedSince = 0;
                        pauseMillis = 500;
                        return WAIT;
                    }
                    Throttle.Level level = throttle.level(jdbc);
                    measured = level;
                    levelMeasured = true;
                    profile.charge(ChunkProfile.Part.THROTTLE);
                    if (level != null && level.action() == Throttle.Action.STOP) {
                        long now = System.nanoTime();
                        if (!level.measured()) {
                            stoppedSince = 0; // a level the operator set holds for as long as it says so
                        } else if (stoppedSince == 0) {
                            stoppedSince = now;
                        } else if (now - stoppedSince > spec.throttle().criticalTimeout().toNanos()) {
                            throw new Throttle.CriticalLoad(migration, level, spec.throttle().criticalTimeout());
                        }
                        pauseMillis = spec.throttle().sleepMillis();
                        return WAIT;
                    }
                    stoppedSince = 0;
                    Backfill.ChunkResult c = backfill.copyChunk(spec, sql, progress, Throttle.targetScale(level), isolated, profile);
                    chunkBaseline = throttle.chunkTimed(c.seconds(), c.seen());
                    if (level != null) {
                        pauseMillis = Throttle.pauseMillis(level.pauseRatio(), c.seconds(), c.seen(),
                                spec.throttle().floorRowsPerSecond(), partitions);
                    }
                    return c;
                });
            } finally {
                profile.charge(ChunkProfile.Part.COMMIT);
                recordOutsideChunk();
            }
            if (r == null) {
                return Outcome.FINISHED;
            }
            if (r == WAIT) {
                return Outcome.WAITED;
            }
            progress = r.partition();
            profile.chunk(r.seen());
            contribution.incrementWriteCount(r.inserted() + r.rejectsWritten());
            return r.done() ? Outcome.FINISHED : Outcome.COPIED;
        }

        /**
         * Writes what the chunk measured to the migration's state row after the chunk's transaction has ended:
         * a row lock on that shared row taken inside a chunk would be held for the whole chunk (which can wait
         * up to lock_timeout on an application's row), and the other partitions' workers, writing the same row,
         * would queue behind it and fail on their own lock_timeout.
         */
        private void recordOutsideChunk() {
            if (levelMeasured) {
                levelMeasured = false;
                record(measured);
            }
            if (chunkBaseline != null) {
                Double base = chunkBaseline;
                chunkBaseline = null;
                store.recordChunkBaseline(migration, base);
            }
        }

        /**
         * Persists the throttle's reason, signal and action for status and metrics: at once when the signal or
         * action changes, at most every 2 s while only the measured level in the reason moves.
         */
        private void record(Throttle.Level level) {
            String reason = level == null ? null : level.reason();
            String key = level == null ? null : level.signal() + "/" + level.action();
            long now = System.nanoTime();
            boolean changed = !java.util.Objects.equals(key, lastKey);
            if (changed || (!java.util.Objects.equals(reason, lastReason) && now - lastWritten > REWRITE_NANOS)) {
                store.setThrottle(migration, reason, level == null ? null : level.signal(),
                        level == null ? null : level.action().name().toLowerCase(java.util.Locale.ROOT));
                lastKey = key;
                lastReason = reason;
                lastWritten = now;
            }
        }
    }
}
