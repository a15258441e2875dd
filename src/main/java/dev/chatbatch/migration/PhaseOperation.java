package dev.chatbatch.migration;

import java.util.List;

/**
 * One schema-changing phase step, pgroll style: {@link #validate} checks its preconditions and refuses with
 * a descriptive {@link dev.chatbatch.OperatorException}, {@link #apply} makes the change, {@link #rollback}
 * removes what apply installed. {@link MigrationOperations} runs them (phase check, validate, apply, history
 * row) in ONE transaction; a migration's rollback is the rollback of the operations in force, newest first.
 * An operation is built per action around a {@link PhaseContext} and used once.
 */
interface PhaseOperation {

    /**
     * Preconditions on the live database and the spec, checked after the phase check. It may take the table
     * locks that keep what it checked true until {@link #apply} runs in the same transaction.
     */
    void validate();

    /** Makes the change; returns the detail recorded in the phase history. */
    String apply();

    /** Removes what {@link #apply} installed; returns the triggers it dropped ("name on table"). Idempotent. */
    List<String> rollback();
}
