package dev.chatbatch.migration;

/**
 * One schema-changing phase step, pgroll style: {@link #validate} checks its preconditions and refuses with
 * a descriptive {@link dev.chatbatch.OperatorException}, {@link #apply} makes the change. {@link MigrationOperations}
 * runs them (phase check, validate, apply, history row) in ONE transaction. Steps a migration's rollback can
 * undo are {@link ReversibleOperation}s; a migration's rollback is the rollback of those in force, newest first.
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
}
