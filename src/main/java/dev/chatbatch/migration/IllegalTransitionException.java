package dev.chatbatch.migration;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

import java.util.stream.Collectors;

/**
 * An action the migration's current phase does not allow ({@link Action} holds the table). Exit code 4 on the
 * command line, 409 from the REST API; the message names the phases the action needs and the actions allowed
 * from here.
 */
public final class IllegalTransitionException extends OperatorException {

    private final String migration;
    private final Phase phase;
    private final Action action;

    IllegalTransitionException(String migration, Phase phase, Action action) {
        super(ExitCode.ILLEGAL_TRANSITION, message(migration, phase, action));
        this.migration = migration;
        this.phase = phase;
        this.action = action;
    }

    private static String message(String migration, Phase phase, Action action) {
        String allowed = phase.allowedActions().stream().map(Action::cliName).collect(Collectors.joining(", "));
        return "migration " + migration + " is in phase " + phase + ": '" + action.cliName() + "' is not allowed there (it needs "
                + action.allowedPhases().stream().map(Enum::name).collect(Collectors.joining(" or ")) + "); allowed next: "
                + (allowed.isEmpty() ? "none (final phase)" : allowed);
    }

    public String migration() {
        return migration;
    }

    public Phase phase() {
        return phase;
    }

    public Action action() {
        return action;
    }
}
