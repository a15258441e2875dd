package dev.chatbatch.migration;

/**
 * What a running {@code verify} reports as it goes: the CLI's progress bar or lines. Ranges are checked by
 * several workers at once, so {@link #rangeChecked} comes from those threads, in any order; an implementation
 * must be thread-safe.
 */
public interface VerifyProgress {

    VerifyProgress NONE = new VerifyProgress() {
    };

    /** The key ranges are cut; {@code ranges} of them will be checked. */
    default void started(int ranges) {
    }

    /**
     * Range {@code range} (1-based) is checked and its transaction ended; {@code done} of {@code ranges} are
     * checked so far; {@code sourceRows} v1 rows were in it; {@code same} when v1 and v2 agreed there.
     */
    default void rangeChecked(int range, int done, int ranges, long sourceRows, boolean same) {
    }
}
