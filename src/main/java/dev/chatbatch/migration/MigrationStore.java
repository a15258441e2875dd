package dev.chatbatch.migration;

import dev.chatbatch.NotFoundException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The persisted bookkeeping of migrations (V10 tables in schema chatbatch): state, phase history and
 * per-partition progress. What {@code migration status}, the REST API and the metrics show is read here,
 * from any process.
 */
@Component
class MigrationStore {

    private final JdbcTemplate jdbc;

    MigrationStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    record State(String name, Phase phase, String specHash, boolean paused, String throttleReason, List<String> upperKey,
                 Long rowsTotal, Instant runStartedAt, Long runRowsAtStart, String lastVerify, Instant verifiedAt,
                 Instant startedAt, Instant updatedAt, Instant dbNow) {
    }

    record Partition(int no, List<String> lowerKey, List<String> upperKey, List<String> lastKey, long rowsTotal,
                     long rowsCopied, long rowsRejected, boolean done, int chunkSize, Instant updatedAt) {
    }

    /** Creates the PENDING row the first time a spec is seen. */
    void ensure(String name, String specHash) {
        jdbc.update(MigrationSql.STATE_ENSURE, name, specHash);
    }

    State state(String name) {
        List<State> rows = jdbc.query(MigrationSql.STATE_READ, (rs, i) -> new State(rs.getString(1), Phase.valueOf(rs.getString(2)),
                rs.getString(3), rs.getBoolean(4), rs.getString(5), list(rs.getArray(6)), (Long) rs.getObject(7),
                instant(rs.getTimestamp(8)), (Long) rs.getObject(9), rs.getString(10), instant(rs.getTimestamp(11)),
                instant(rs.getTimestamp(12)), instant(rs.getTimestamp(13)), instant(rs.getTimestamp(14))), name);
        if (rows.isEmpty()) {
            throw new NotFoundException("migration " + name + " has no state yet");
        }
        return rows.get(0);
    }

    List<String> names() {
        return jdbc.queryForList(MigrationSql.STATE_NAMES, String.class);
    }

    /** Must run inside the transaction that also changes what the phase describes. */
    Phase lockPhase(String name) {
        return Phase.valueOf(jdbc.queryForObject(MigrationSql.STATE_LOCK, (rs, i) -> rs.getString(1), name));
    }

    /** Sets the phase and records the transition (same transaction as the caller's work). */
    void transition(String name, Phase from, Phase to, String specHash, String actor, String detail) {
        jdbc.update(MigrationSql.STATE_SET_PHASE, to.name(), specHash, to.name(), name);
        jdbc.update(MigrationSql.HISTORY_INSERT, name, from == null ? null : from.name(), to.name(), actor, detail);
    }

    List<PhaseChange> history(String name) {
        return jdbc.query(MigrationSql.HISTORY_READ, (rs, i) -> new PhaseChange(rs.getString(1), rs.getString(2), rs.getString(3),
                instant(rs.getTimestamp(4)), rs.getString(5)), name);
    }

    void setPaused(String name, boolean paused) {
        jdbc.update(MigrationSql.STATE_SET_PAUSED, paused, name);
    }

    void setThrottle(String name, String reason) {
        jdbc.update(MigrationSql.STATE_SET_THROTTLE, reason, name, reason);
    }

    List<Partition> partitions(String name) {
        return jdbc.query(MigrationSql.PARTITIONS_READ, MigrationStore::partition, name);
    }

    Partition partition(String name, int no) {
        return jdbc.queryForObject(MigrationSql.PARTITION_READ, MigrationStore::partition, name, no);
    }

    long rejects(String name) {
        Long n = jdbc.queryForObject(MigrationSql.REJECTS_COUNT, Long.class, name);
        return n == null ? 0 : n;
    }

    private static Partition partition(ResultSet rs, int i) throws SQLException {
        return new Partition(rs.getInt(1), list(rs.getArray(2)), list(rs.getArray(3)), list(rs.getArray(4)), rs.getLong(5),
                rs.getLong(6), rs.getLong(7), rs.getBoolean(8), rs.getInt(9), instant(rs.getTimestamp(10)));
    }

    static List<String> list(Array array) throws SQLException {
        return array == null ? null : Arrays.asList((String[]) array.getArray());
    }

    static String pgArray(List<String> key) {
        if (key == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(key.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append('}').toString();
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
