package dev.chatbatch.migration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Backfill#adapt}: the next chunk size moves toward the spec's target duration, at most doubled or
 * halved per chunk, and stays within the spec's bounds. Pure logic, no database.
 */
class ChunkSizeAdaptationTest {

    /** size 1000 to start, between 100 and 10 000 rows, 0.5 s per chunk wanted. */
    private static final MigrationSpec.Chunk CHUNK = new MigrationSpec.Chunk(1_000, 100, 10_000, 0.5);

    @Test
    void onTargetKeepsTheSize() {
        assertThat(Backfill.adapt(CHUNK, 1_000, 0.5)).isEqualTo(1_000);
    }

    @Test
    void growsWhenFasterThanTheTarget() {
        assertThat(Backfill.adapt(CHUNK, 1_000, 0.4)).isEqualTo(1_250);
        assertThat(Backfill.adapt(CHUNK, 1_000, 0.25)).isEqualTo(2_000);
    }

    @Test
    void atMostDoublesPerChunk() {
        assertThat(Backfill.adapt(CHUNK, 1_000, 0.01)).isEqualTo(2_000);
        // a chunk too quick to measure counts as fast
        assertThat(Backfill.adapt(CHUNK, 1_000, 0)).isEqualTo(2_000);
    }

    @Test
    void shrinksWhenSlowerThanTheTarget() {
        assertThat(Backfill.adapt(CHUNK, 1_000, 0.625)).isEqualTo(800);
        assertThat(Backfill.adapt(CHUNK, 1_000, 1.0)).isEqualTo(500);
    }

    @Test
    void atMostHalvesPerChunk() {
        assertThat(Backfill.adapt(CHUNK, 1_000, 30)).isEqualTo(500);
    }

    @Test
    void staysWithinTheSpecsBounds() {
        assertThat(Backfill.adapt(CHUNK, 8_000, 0.01)).isEqualTo(10_000);
        assertThat(Backfill.adapt(CHUNK, 10_000, 0.01)).isEqualTo(10_000);
        assertThat(Backfill.adapt(CHUNK, 150, 30)).isEqualTo(100);
        assertThat(Backfill.adapt(CHUNK, 100, 30)).isEqualTo(100);
    }

    @Test
    void convergesOnTheTargetForASteadyRate() {
        // 2 ms per row: 250 rows take the 0.5 s target
        int size = 10_000;
        for (int i = 0; i < 20; i++) {
            size = Backfill.adapt(CHUNK, size, size * 0.002);
        }
        assertThat(size).isEqualTo(250);
    }
}
