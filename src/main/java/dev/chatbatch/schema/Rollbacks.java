package dev.chatbatch.schema;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import dev.chatbatch.db.DatabaseErrors;
import dev.chatbatch.db.SqlScript;
import org.flywaydb.core.Flyway;
import org.springframework.core.io.Resource;
import org.springframework.dao.DataAccessException;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs {@code U<n>__*.sql} rollback scripts newest first, all in ONE transaction together with the
 * removal of their Flyway history rows: the rollback runs to the end or changes nothing, and Flyway's
 * view never disagrees with the catalog. Shared by the
 * platform schema and the optional modules (each with its own scripts and history table).
 */
final class Rollbacks {

    private static final Pattern ROLLBACK_NAME = Pattern.compile("U(\\d+)__.+\\.sql");

    private Rollbacks() {
    }

    /**
     * @param historyTable qualified, already-quoted history table name
     * @param scriptHint   where a missing script is expected, e.g. {@code sql/rollback/U}
     * @return the versions rolled back, in the order they were undone
     */
    static List<Integer> run(DataSource dataSource, TransactionTemplate transactions, Flyway flyway,
                             Map<Integer, Resource> scripts, String historyTable, int targetVersion,
                             IntConsumer beforeEach, String scriptHint) {
        if (targetVersion < 0) {
            throw OperatorException.usage("--to must be 0 or a migration version, not " + targetVersion);
        }
        List<Integer> all = Arrays.stream(flyway.info().applied())
                .filter(i -> i.getVersion() != null && i.getType() != null && i.getType().name().equals("SQL"))
                .map(i -> Integer.parseInt(i.getVersion().getVersion()))
                .sorted(Comparator.reverseOrder())
                .toList();
        int current = all.isEmpty() ? 0 : all.get(0);
        if (targetVersion > current) {
            // a rollback never goes up: saying "now at version <target>" here was a lie
            throw OperatorException.usage("--to " + targetVersion + " is above the current version " + current
                    + ": a rollback only goes down; nothing was changed (see `chatbatch schema info`)");
        }
        List<Integer> applied = all.stream().filter(v -> v > targetVersion).toList();
        for (int version : applied) {
            if (!scripts.containsKey(version)) {
                throw OperatorException.usage("no rollback script for V" + version + ": expected " + scriptHint
                        + version + "__<name>.sql; nothing was rolled back past V" + version);
            }
        }
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        int[] running = {0};
        try {
            // ONE transaction for every version: a script failing halfway down (an object it did not expect)
            // leaves the schema and Flyway's history as they were, never at some version in between
            transactions.executeWithoutResult(status -> {
                // Rollback scripts are written for public (or name their schema), like the migrations they undo.
                jdbc.execute("set local search_path = public");
                for (int version : applied) {
                    running[0] = version;
                    beforeEach.accept(version);
                    SqlScript.split(read(scripts.get(version))).forEach(jdbc::execute);
                    jdbc.update("delete from " + historyTable + " where version = ?", String.valueOf(version));
                }
            });
        } catch (DataAccessException e) {
            throw new OperatorException(ExitCode.ILLEGAL_TRANSITION, "the rollback of V" + running[0] + " failed: "
                    + DatabaseErrors.message(e) + "; nothing was rolled back (every version is undone in one transaction),"
                    + " the schema is still at V" + current + ". Remove or move what is in the way, then run the rollback again", e);
        }
        return applied;
    }

    /** Rollback scripts by version, from a classpath pattern such as {@code db/rollback/U*.sql}. */
    static Map<Integer, Resource> scripts(String pattern) {
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath*:" + pattern);
            return Arrays.stream(resources)
                    .filter(r -> r.getFilename() != null && ROLLBACK_NAME.matcher(r.getFilename()).matches())
                    .collect(Collectors.toMap(r -> {
                        Matcher m = ROLLBACK_NAME.matcher(r.getFilename());
                        m.matches();
                        return Integer.parseInt(m.group(1));
                    }, r -> r));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list rollback scripts " + pattern, e);
        }
    }

    private static String read(Resource resource) {
        try {
            return resource.getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource.getFilename(), e);
        }
    }
}
