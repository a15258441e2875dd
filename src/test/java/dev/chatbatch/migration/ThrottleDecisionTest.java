package dev.chatbatch.migration;

import dev.chatbatch.config.ConfigFile;
import dev.chatbatch.config.ConfigFileException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The throttle's decisions without a database: thresholds relative to the baseline (margin, critical,
 * their minimum headroom on an idle database), the slow and stop levels, the chunk-time signal, the pause
 * bounded by the floor rate, the smaller chunk target, and the spec keys that set them.
 */
class ThrottleDecisionTest {

    private static final MigrationSpec.Throttle DEFAULTS = new MigrationSpec.Throttle(0, null, 30, 500);

    @Test
    void thresholdsFollowTheBaselineWithAMinimumHeadroom() {
        // a steady application load of 10 busy backends: +20 % slows down, 2x stops
        MigrationStatus.Baseline busy = Throttle.baseline(DEFAULTS, 10);
        assertThat(busy.slowAbove()).isEqualTo(12.0);
        assertThat(busy.criticalAt()).isEqualTo(20.0);
        // 4 writers: 20 % of 4 is less than one backend, 2x is 8
        MigrationStatus.Baseline four = Throttle.baseline(DEFAULTS, 4);
        assertThat(four.slowAbove()).isEqualTo(5.0);
        assertThat(four.criticalAt()).isEqualTo(8.0);
        // an idle database: one busy backend is no reason to slow down, and 2 x 0 would stop on anything
        MigrationStatus.Baseline idle = Throttle.baseline(DEFAULTS, 0);
        assertThat(idle.slowAbove()).isEqualTo(1.0);
        assertThat(idle.criticalAt()).isEqualTo(4.0);
        assertThat(idle.chunkMillisPerThousandRows()).isNull();
        assertThat(idle.floorRowsPerSecond()).isEqualTo(1000);
        assertThat(idle.criticalTimeoutSeconds()).isEqualTo(600);
        // the spec's margin and factor
        MigrationSpec.Throttle wide = new MigrationSpec.Throttle(0, null, 30, 500, 1.0, 5.0, 10, Duration.ofSeconds(30));
        assertThat(Throttle.baseline(wide, 10).slowAbove()).isEqualTo(20.0);
        assertThat(Throttle.baseline(wide, 10).criticalAt()).isEqualTo(50.0);
    }

    @Test
    void theSteadyLoadOfTheBaselineCopiesAtFullSpeed() {
        MigrationStatus.Baseline b = Throttle.baseline(DEFAULTS, 4);
        assertThat(Throttle.busyLevel(b, 4)).isNull();
        assertThat(Throttle.busyLevel(b, 5)).as("at the slow level, not above it").isNull();
        assertThat(Throttle.targetScale(null)).isEqualTo(1.0);
    }

    @Test
    void aboveTheMarginItSlowsDownInProportion() {
        MigrationStatus.Baseline b = Throttle.baseline(DEFAULTS, 4);
        Throttle.Level slight = Throttle.busyLevel(b, 5.6);
        assertThat(slight.action()).isEqualTo(Throttle.Action.SLOW);
        assertThat(slight.signal()).isEqualTo("busy_backends");
        assertThat(slight.measured()).isTrue();
        assertThat(slight.overload()).isCloseTo(0.2, within(1e-9));
        assertThat(slight.reason()).contains("5.6 busy backends", "> 5.0", "baseline 4.0", "critical at 8.0");
        Throttle.Level heavy = Throttle.busyLevel(b, 7.4);
        assertThat(heavy.overload()).isCloseTo(0.8, within(1e-9));
        // smaller chunks: the adaptation aims at a shorter chunk time, half of it at the critical level
        assertThat(Throttle.targetScale(slight)).isCloseTo(0.9, within(1e-9));
        assertThat(Throttle.targetScale(heavy)).isCloseTo(0.6, within(1e-9));
        MigrationSpec.Chunk chunk = new MigrationSpec.Chunk(1_000, 100, 10_000, 0.5);
        assertThat(Backfill.adapt(chunk, 1_000, 0.5, 0.5 * Throttle.targetScale(heavy))).isEqualTo(600);
    }

    @Test
    void atTheCriticalLevelItStops() {
        MigrationStatus.Baseline b = Throttle.baseline(DEFAULTS, 4);
        Throttle.Level stop = Throttle.busyLevel(b, 8);
        assertThat(stop.action()).isEqualTo(Throttle.Action.STOP);
        assertThat(stop.measured()).as("bounded by the critical timeout").isTrue();
        assertThat(stop.reason()).contains("critical load", "8.0 busy backends", ">= 8.0", "baseline 4.0");
        assertThat(Throttle.busyLevel(Throttle.baseline(DEFAULTS, 0), 4).action()).isEqualTo(Throttle.Action.STOP);
        assertThat(Throttle.busyLevel(Throttle.baseline(DEFAULTS, 0), 3).action()).isEqualTo(Throttle.Action.SLOW);
    }

    @Test
    void pausesNeverTakeThePartitionBelowItsShareOfTheFloorRate() {
        // a full overload pauses 4x the chunk's time, a quarter of it 1x
        assertThat(new Throttle.Level("busy_backends", Throttle.Action.SLOW, 1, true, "r").pauseRatio()).isEqualTo(4);
        assertThat(new Throttle.Level("busy_backends", Throttle.Action.SLOW, 0.25, true, "r").pauseRatio()).isEqualTo(1);
        assertThat(new Throttle.Level("busy_backends", Throttle.Action.STOP, 1, true, "r").pauseRatio()).isZero();
        assertThat(Throttle.pauseMillis(4, 0.5, 50_000, 1000, 2)).isEqualTo(2000);
        assertThat(Throttle.pauseMillis(1, 0.5, 50_000, 1000, 2)).isEqualTo(500);
        // 5000 rows in 0.5 s, floor 1000 rows/s over 2 partitions = 500 rows/s each: at most 10 s per chunk in all
        assertThat(Throttle.pauseMillis(4, 0.5, 5_000, 1000, 2)).isEqualTo(2000);
        assertThat(Throttle.pauseMillis(4, 0.5, 1_000, 1000, 2)).isEqualTo(1500);
        // a chunk already slower than the floor allows: no pause at all
        assertThat(Throttle.pauseMillis(4, 3, 1_000, 1000, 2)).isZero();
        assertThat(Throttle.pauseMillis(0, 0.5, 50_000, 1000, 2)).isZero();
        // rate kept: rows / (chunk + pause) >= floor / partitions
        for (double ratio = 0; ratio <= 20; ratio += 0.5) {
            long pause = Throttle.pauseMillis(ratio, 0.2, 300, 1000, 4);
            assertThat(300 / (0.2 + pause / 1000.0)).isGreaterThanOrEqualTo(250 - 1e-6);
        }
    }

    @Test
    void whileOtherClientsAreBusyEveryChunkIsFollowedByTheNiceRatiosPause() {
        // an otherwise idle database, or the ratio off: nothing to share
        assertThat(Throttle.sharing(null, 0.8, 1.0)).isNull();
        assertThat(Throttle.sharing(null, 3, 0)).isNull();
        // other clients busy, no other signal: the sharing level, pausing nice_ratio x the chunk's time, chunks as large
        Throttle.Level sharing = Throttle.sharing(null, 3, 1.5);
        assertThat(sharing.signal()).isEqualTo("sharing");
        assertThat(sharing.action()).isEqualTo(Throttle.Action.SLOW);
        assertThat(sharing.pauseRatio()).isEqualTo(1.5);
        assertThat(Throttle.targetScale(sharing)).isEqualTo(1.0);
        assertThat(sharing.reason()).contains("3.0 busy backends of other clients", "1.5 ×", "throttle.nice_ratio");
        // another signal that slows less keeps its name and reason but pauses at least the nice ratio
        Throttle.Level slight = new Throttle.Level("busy_backends", Throttle.Action.SLOW, 0.1, true, "load");
        Throttle.Level shared = Throttle.sharing(slight, 6, 1.0);
        assertThat(shared.signal()).isEqualTo("busy_backends");
        assertThat(shared.reason()).isEqualTo("load");
        assertThat(shared.pauseRatio()).isEqualTo(1.0);
        assertThat(shared.overload()).isEqualTo(0.1);
        // one that slows more, or a stop, is left as it is
        Throttle.Level heavy = new Throttle.Level("busy_backends", Throttle.Action.SLOW, 0.9, true, "load");
        assertThat(Throttle.sharing(heavy, 6, 1.0)).isSameAs(heavy);
        Throttle.Level stop = new Throttle.Level("busy_backends", Throttle.Action.STOP, 1, true, "critical");
        assertThat(Throttle.sharing(stop, 9, 1.0)).isSameAs(stop);
    }

    @Test
    void chunksTakingLongerPerRowThanAtTheStartSlowDownButNeverStop() {
        MigrationStatus.Baseline b = new MigrationStatus.Baseline(4, 5, 8, 10.0, 2.0, 1000, 600);
        assertThat(Throttle.chunkLevel(b, 19)).isNull();
        assertThat(Throttle.chunkLevel(b, 20)).isNull();
        Throttle.Level slow = Throttle.chunkLevel(b, 30);
        assertThat(slow.signal()).isEqualTo("chunk_time");
        assertThat(slow.action()).isEqualTo(Throttle.Action.SLOW);
        assertThat(slow.overload()).isCloseTo(0.5, within(1e-9));
        assertThat(slow.reason()).contains("30.0 ms per 1000 rows", "> 20.0", "baseline 10.0");
        assertThat(Throttle.chunkLevel(b, 1000).action()).isEqualTo(Throttle.Action.SLOW);
        assertThat(Throttle.chunkLevel(b, 1000).overload()).isEqualTo(1.0);
        // not measured yet: no signal
        assertThat(Throttle.chunkLevel(Throttle.baseline(DEFAULTS, 4), 1000)).isNull();
    }

    @Test
    void theChunkBaselineIsTheFirstChunksTimePerRow() {
        Throttle t = new Throttle(DEFAULTS, Throttle.baseline(DEFAULTS, 2));
        assertThat(t.chunkTimed(0.5, 5_000)).isNull();
        assertThat(t.chunkTimed(0.0, 0)).as("an empty chunk tells nothing").isNull();
        assertThat(t.chunkTimed(0.5, 5_000)).isNull();
        assertThat(t.chunkTimed(1.0, 5_000)).isEqualTo(133.3);
        assertThat(t.baseline().chunkMillisPerThousandRows()).isEqualTo(133.3);
        assertThat(t.chunkTimed(5.0, 5_000)).as("measured once per run").isNull();
    }

    @Test
    void theSpecKeysAreReadAndGuarded() throws Exception {
        String shipped = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
        MigrationSpec.Throttle t = guard(shipped).throttle();
        assertThat(t).isEqualTo(new MigrationSpec.Throttle(0, null, 30, 500, 0.2, 2.0, 1000, Duration.ofMinutes(10), 1.0));
        assertThat(guard(shipped.replace("nice_ratio: 1.0", "nice_ratio: 0")).throttle().niceRatio()).isZero();
        assertRefused(shipped.replace("nice_ratio: 1.0", "nice_ratio: -1"), "throttle.nice_ratio", "0", "20");
        assertThat(guard(shipped.replace("load_margin: 0.2", "load_margin: 0.5").replace("critical_factor: 2.0", "critical_factor: 3")
                .replace("floor_rows_per_second: 1000", "floor_rows_per_second: 50").replace("critical_timeout: 10min",
                        "critical_timeout: 30s")).throttle())
                .isEqualTo(new MigrationSpec.Throttle(0, null, 30, 500, 0.5, 3.0, 50, Duration.ofSeconds(30)));
        // the old absolute limit still reads, for whoever relies on it
        assertThat(guard(shipped.replace("max_active_backends: 0", "max_active_backends: 2")).throttle().maxActiveBackends())
                .isEqualTo(2);
        assertRefused(shipped.replace("critical_factor: 2.0", "critical_factor: 1.2"), "throttle.critical_factor",
                "above 1 + load_margin");
        assertRefused(shipped.replace("critical_factor: 2.0", "critical_factor: 1"), "throttle.critical_factor", "1.1", "100");
        assertRefused(shipped.replace("load_margin: 0.2", "load_margin: -0.1"), "throttle.load_margin", "0", "10");
        assertRefused(shipped.replace("floor_rows_per_second: 1000", "floor_rows_per_second: 0"), "throttle.floor_rows_per_second",
                "out of range");
        assertRefused(shipped.replace("critical_timeout: 10min", "critical_timeout: 500ms"), "throttle.critical_timeout",
                "out of range", "1s", "24h");
        assertRefused(shipped.replace("critical_timeout: 10min", "critical_timeout: forever"), "throttle.critical_timeout",
                "not a duration");
    }

    private static MigrationSpecLoader.Fields guard(String yaml) {
        return MigrationSpecLoader.guard(new ConfigFile("f.yml"), MigrationSpecLoader.parse("f.yml", yaml));
    }

    private static void assertRefused(String yaml, String field, String... says) {
        assertThatThrownBy(() -> guard(yaml)).isInstanceOf(ConfigFileException.class).hasMessageContaining("f.yml")
                .hasMessageContaining(field)
                .satisfies(e -> assertThat(e.getMessage()).contains(List.of(says)));
    }
}
