package dev.chatbatch.migration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The backfill's per-chunk profile line, which bench/backfill parses. */
class ChunkProfileTest {

    @Test
    void theLineNamesEveryPartInMillisecondsPerChunk() throws Exception {
        ChunkProfile profile = new ChunkProfile();
        profile.start();
        Thread.sleep(20);
        profile.charge(ChunkProfile.Part.CHUNK);
        profile.chunk(100);
        profile.chunk(50);
        String line = profile.line(3);
        assertThat(line).startsWith("chunk profile: partition=3 chunks=2 rows=150 wall_ms=").contains(" ms_per_chunk: gate=0.00 ");
        for (ChunkProfile.Part p : ChunkProfile.Part.values()) {
            assertThat(line).contains(" " + p.name().toLowerCase(java.util.Locale.ROOT) + "=");
        }
        double chunkMs = Double.parseDouble(line.replaceAll(".* chunk=([0-9.]+) .*", "$1"));
        assertThat(chunkMs).as(line).isGreaterThanOrEqualTo(10.0); // 20 ms over two chunks
        assertThat(line).contains(" other=");
    }
}
