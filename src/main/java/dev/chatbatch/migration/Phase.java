package dev.chatbatch.migration;

import java.util.Arrays;
import java.util.List;

/**
 * Where a migration stands (SPEC §5). Which actions a phase allows, and where they lead, is declared
 * once, on {@link Action}; this enum only answers from it.
 */
public enum Phase {
    PENDING, DUAL_WRITE, BACKFILLING, BACKFILLED, VERIFIED, CUT_OVER, COMPLETED, ROLLED_BACK;

    /**
     * Every row of the backfill range is copied (or rejected) in this phase: BACKFILLED and every phase the
     * workflow reaches after it, not ROLLED_BACK (whose progress is about to be recomputed).
     */
    public boolean isBackfilled() {
        return switch (this) {
            case BACKFILLED, VERIFIED, CUT_OVER, COMPLETED -> true;
            case PENDING, DUAL_WRITE, BACKFILLING, ROLLED_BACK -> false;
        };
    }

    /** The actions allowed from here, in workflow order. */
    public List<Action> allowedActions() {
        return Arrays.stream(Action.values()).filter(a -> a.allowedFrom(this)).toList();
    }
}
