package dev.chatbatch.migration;

import java.time.Instant;
import java.util.List;

/**
 * What {@code migration verify} found, key range by key range, each range in its own snapshot of both tables:
 * counts (source = target + rejects) and min/max of the compared columns assembled from the ranges, and every
 * key range whose checksums disagree, with its missing (in v1, not in v2), extra (in v2, not in v1) and
 * different rows and a few sample keys of each. {@code repair} re-syncs exactly the ranges listed here.
 *
 * @param snapshot the PostgreSQL snapshot ({@code pg_snapshot} text) the verify recorded before it read its first
 *                 range (every range's own snapshot is later): cutover re-checks the rows written by transactions
 *                 it did not see (null in reports of older versions)
 */
public record VerifyReport(String migration, boolean ok, long sourceRows, long targetRows, long rejectRows,
                           boolean countsMatch, List<MinMax> minMax, int ranges, List<RangeDiff> mismatchedRanges,
                           Instant at, double seconds, String snapshot) {

    /** The one-line verdict: what the CLI prints, the REST message and the phase history's detail. */
    public String summary() {
        return (ok ? "verified: " : "DIFFERENCES: ") + sourceRows + " source rows = " + targetRows + " target + "
                + rejectRows + " rejects" + (countsMatch ? "" : " does NOT hold") + "; " + mismatchedRanges.size()
                + " of " + ranges + " key ranges differ";
    }

    public record MinMax(String column, String sourceMin, String sourceMax, String targetMin, String targetMax,
                         boolean match) {
    }

    /** A key range (lowerKey exclusive, null = from the first key; upperKey inclusive, null = to the last). */
    public record RangeDiff(int range, List<String> lowerKey, List<String> upperKey, long sourceRows, long targetRows,
                            long sourceRejected, long rejectRows, long missing, long extra, long different,
                            List<String> missingKeys, List<String> extraKeys, List<String> differentKeys) {
    }
}
