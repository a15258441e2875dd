package dev.chatbatch.migration;

import java.util.List;

/**
 * A {@link PhaseOperation} that a migration's rollback undoes (start's dual write, cutover's guard and
 * mirror). {@code complete} is not one: COMPLETED is final, {@link Action#ROLLBACK} does not start from it.
 */
interface ReversibleOperation extends PhaseOperation {

    /** Removes what {@link #apply} installed; returns the triggers it dropped ("name on table"). Idempotent. */
    List<String> rollback();
}
