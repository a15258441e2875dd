package dev.chatbatch.maintenance;

import dev.chatbatch.db.SqlScript;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import javax.sql.DataSource;
import java.util.List;

/**
 * The shape of every row-changing maintenance step: keyset chunks, one short transaction each.
 *
 * <p>Each call handles one chunk in the step's transaction: {@code SET LOCAL lock_timeout}, select the
 * next keys after the saved position ({@code key > :after ORDER BY key LIMIT :chunk_size}, never
 * OFFSET), then change the rows of those keys (or, in a dry run, count them), and return
 * CONTINUABLE. Spring Batch commits the chunk together with the step execution context holding the
 * new position, so a failed or stopped execution restarts after the last committed chunk and never
 * redoes one. The SQL comes from one resource file with three statements, in order:
 * <ol>
 *   <li>select: the next keys as text, using {@code :after} (null at the start) and {@code :chunk_size};</li>
 *   <li>count: the rows the change would affect for {@code :keys} (a text array literal);</li>
 *   <li>change: the change for {@code :keys}, its update count being the rows changed.</li>
 * </ol>
 * All three re-check the job's predicate, so the dry-run count is what the real run then changes,
 * and a row that changed since it was selected is left alone. Every statement gets {@code :as_of}
 * (the step's fixed "now") and the job's parameters.
 */
class KeysetTasklet implements Tasklet {

    static final String POSITION = "keyset.after";

    private final String job;
    private final String select;
    private final String count;
    private final String change;
    private final JobArgs args;
    private final NamedParameterJdbcTemplate jdbc;
    private final String verb;
    private final String noun;

    KeysetTasklet(String job, String sqlResource, JobArgs args, DataSource dataSource, String verb, String noun) {
        List<String> statements = SqlScript.load(sqlResource).statements();
        if (statements.size() != 3) {
            throw new IllegalStateException(sqlResource + " must hold exactly three statements (select, count, change)");
        }
        this.job = job;
        this.select = statements.get(0);
        this.count = statements.get(1);
        this.change = statements.get(2);
        this.args = args;
        this.jdbc = new NamedParameterJdbcTemplate(dataSource);
        this.verb = verb;
        this.noun = noun;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        ExecutionContext ctx = step.getExecutionContext();
        String after = ctx.containsKey(POSITION) ? ctx.getString(POSITION) : null;
        MapSqlParameterSource params = args.sql()
                .addValue("as_of", StepReport.asOf(step, jdbc))
                .addValue("after", after);
        try {
            StepReport.lockTimeout(jdbc, args.string("lock-timeout"));
            List<String> keys = jdbc.queryForList(select, params, String.class);
            if (keys.isEmpty()) {
                StepReport.describe(step, args.dryRun()
                        ? "dry run: " + step.getReadCount() + " " + noun + " would be " + verb
                        : verb + " " + step.getWriteCount() + " " + noun);
                return RepeatStatus.FINISHED;
            }
            params.addValue("keys", "{" + String.join(",", keys) + "}");
            long rows = args.dryRun() ? jdbc.queryForObject(count, params, Long.class) : jdbc.update(change, params);
            StepReport.matched(step, rows);
            if (!args.dryRun()) {
                contribution.incrementWriteCount(rows);
            }
            ctx.putString(POSITION, keys.get(keys.size() - 1));
            return RepeatStatus.CONTINUABLE;
        } catch (DataAccessException e) {
            throw StepFailure.of(step, "the chunk after key " + (after == null ? "(start)" : after)
                    + " failed and was rolled back (the chunks before it are committed)", e);
        }
    }
}
