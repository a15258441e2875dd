package dev.chatbatch.migration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Where one backfill worker's time goes, part by part, as wall time seen by the runner (round trips included):
 * written at DEBUG (logger {@code dev.chatbatch.migration.ChunkProfile}) when its partition is done, one line of
 * milliseconds per chunk, which bench/backfill prints as a table. Timing costs two clock reads per part.
 */
final class ChunkProfile {

    private static final Logger log = LoggerFactory.getLogger(ChunkProfile.class);

    /** The parts of a chunk, in the order they run. */
    enum Part {
        /** The state row's FOR KEY SHARE lock, phase and pause flag. */
        GATE,
        /** The throttle's reads (pg_stat_activity, replication lag, the spec's query), when due. */
        THROTTLE,
        /** The chunk transaction's settings (one set_config round trip). */
        SETTINGS,
        /** Where the chunk ends: the key n rows on, from the key's index. */
        CHUNK_END,
        /** The chunk statement: lock, map and insert the rows, record the rule rejects. */
        CHUNK,
        /** The partition's progress row. */
        PROGRESS,
        /** The chunk transaction's COMMIT. */
        COMMIT,
        /** Spring Batch between two calls of the worker: its step bookkeeping (a call copies many chunks). */
        BATCH,
        /** Pauses asked by the throttle or a pause of the backfill. */
        PAUSE
    }

    private final Map<Part, Long> nanos = new EnumMap<>(Part.class);
    private long chunks;
    private long rows;
    private long startedAt;
    private long mark;

    /** Starts (or continues) the clock of the current part. */
    void start() {
        mark = System.nanoTime();
        if (startedAt == 0) {
            startedAt = mark;
        }
    }

    /** Charges the time since the last mark to {@code part} and marks now. */
    void charge(Part part) {
        long now = System.nanoTime();
        nanos.merge(part, now - mark, Long::sum);
        mark = now;
    }

    void chunk(long rowsSeen) {
        chunks++;
        rows += rowsSeen;
    }

    boolean enabled() {
        return log.isDebugEnabled();
    }

    /** The line written when the partition is done: its totals and milliseconds per chunk of each part. */
    String line(int partition) {
        double wall = (System.nanoTime() - startedAt) / 1e6;
        StringJoiner parts = new StringJoiner(" ");
        double accounted = 0;
        for (Part p : Part.values()) {
            double ms = nanos.getOrDefault(p, 0L) / 1e6;
            accounted += ms;
            parts.add(p.name().toLowerCase(Locale.ROOT) + "=" + perChunk(ms));
        }
        parts.add("other=" + perChunk(wall - accounted));
        return String.format(Locale.ROOT, "chunk profile: partition=%d chunks=%d rows=%d wall_ms=%.0f ms_per_chunk: %s",
                partition, chunks, rows, wall, parts);
    }

    private String perChunk(double ms) {
        return String.format(Locale.ROOT, "%.2f", chunks == 0 ? 0 : ms / chunks);
    }

    void log(int partition) {
        if (enabled()) {
            log.debug(line(partition));
        }
    }
}
