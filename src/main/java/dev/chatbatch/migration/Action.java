package dev.chatbatch.migration;

import com.fasterxml.jackson.annotation.JsonValue;

import dev.chatbatch.NotFoundException;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.chatbatch.migration.Phase.*;

/**
 * The migration's state machine in ONE place: each action, the phases it may start from, and the phase
 * it leads to on success. {@code verify} with differences and {@code repair} lead back to BACKFILLED;
 * {@code pause}/{@code resume} do not change the phase.
 */
public enum Action {
    START(EnumSet.of(PENDING, ROLLED_BACK), DUAL_WRITE),
    BACKFILL(EnumSet.of(DUAL_WRITE, BACKFILLING), BACKFILLED),
    VERIFY(EnumSet.of(BACKFILLED, VERIFIED), VERIFIED),
    REPAIR(EnumSet.of(BACKFILLED, VERIFIED), BACKFILLED),
    CUTOVER(EnumSet.of(VERIFIED), CUT_OVER),
    COMPLETE(EnumSet.of(CUT_OVER), COMPLETED),
    ROLLBACK(EnumSet.of(DUAL_WRITE, BACKFILLING, BACKFILLED, VERIFIED, CUT_OVER), ROLLED_BACK),
    PAUSE(EnumSet.of(PENDING, DUAL_WRITE, BACKFILLING, BACKFILLED, VERIFIED), null),
    RESUME(EnumSet.of(PENDING, DUAL_WRITE, BACKFILLING, BACKFILLED, VERIFIED), null);

    private final Set<Phase> from;
    private final Phase to;

    Action(Set<Phase> from, Phase to) {
        this.from = from;
        this.to = to;
    }

    public boolean allowedFrom(Phase phase) {
        return from.contains(phase);
    }

    /** The phase reached on success; null for pause/resume. */
    public Phase target() {
        return to;
    }

    /** The action's name on the command line, in REST paths and in JSON. */
    @JsonValue
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The phases this action may start from. */
    public Set<Phase> allowedPhases() {
        return Collections.unmodifiableSet(from);
    }

    /** Refuses with {@link IllegalTransitionException} (exit 4) unless this action is allowed in {@code current}. */
    public void check(String migration, Phase current) {
        if (!allowedFrom(current)) {
            throw new IllegalTransitionException(migration, current, this);
        }
    }

    public static Action parse(String name) {
        return Arrays.stream(values()).filter(a -> a.cliName().equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new NotFoundException("unknown migration action '" + name + "'; actions: "
                        + Arrays.stream(values()).map(Action::cliName).collect(Collectors.joining(", "))));
    }
}
