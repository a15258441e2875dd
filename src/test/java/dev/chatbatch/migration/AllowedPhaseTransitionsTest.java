package dev.chatbatch.migration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every (phase, action) pair against the state machine of SPEC §5, written out here independently of
 * {@link Action} (jobrunr's AllowedJobStateStateChangesTest shape): an allowed action passes
 * {@link Action#check}, any other is refused with an {@link IllegalTransitionException} naming the migration,
 * the phase and the action. No database.
 */
class AllowedPhaseTransitionsTest {

    private static final String MIGRATION = "chat-messages-v2";

    /** Columns in {@link Action} order; "x" = allowed from the row's phase. */
    private static final String TABLE = """
            phase         start backfill verify repair cutover complete rollback pause resume
            PENDING       x     .        .      .      .       .        .        x     x
            DUAL_WRITE    .     x        .      .      .       .        x        x     x
            BACKFILLING   .     x        .      .      .       .        x        x     x
            BACKFILLED    .     .        x      x      .       .        x        x     x
            VERIFIED      .     .        x      x      x       .        x        x     x
            CUT_OVER      .     .        .      .      .       x        x        .     .
            COMPLETED     .     .        .      .      .       .        .        .     .
            ROLLED_BACK   x     .        .      .      .       .        .        .     .
            """;

    /** Where each action leads on success; pause and resume keep the phase (null). */
    private static final Map<Action, Phase> TARGET = targets();

    private static Map<Action, Phase> targets() {
        Map<Action, Phase> t = new EnumMap<>(Action.class);
        t.put(Action.START, Phase.DUAL_WRITE);
        t.put(Action.BACKFILL, Phase.BACKFILLED);
        t.put(Action.VERIFY, Phase.VERIFIED);
        t.put(Action.REPAIR, Phase.BACKFILLED);
        t.put(Action.CUTOVER, Phase.CUT_OVER);
        t.put(Action.COMPLETE, Phase.COMPLETED);
        t.put(Action.ROLLBACK, Phase.ROLLED_BACK);
        t.put(Action.PAUSE, null);
        t.put(Action.RESUME, null);
        return t;
    }

    private static Map<Phase, Set<Action>> allowed() {
        List<String> lines = TABLE.lines().filter(l -> !l.isBlank()).toList();
        List<Action> columns = Arrays.stream(lines.get(0).trim().split("\\s+")).skip(1).map(Action::parse).toList();
        Map<Phase, Set<Action>> allowed = new EnumMap<>(Phase.class);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.trim().split("\\s+");
            Set<Action> actions = EnumSet.noneOf(Action.class);
            for (int c = 0; c < columns.size(); c++) {
                if (cells[c + 1].equals("x")) {
                    actions.add(columns.get(c));
                }
            }
            allowed.put(Phase.valueOf(cells[0]), actions);
        }
        return allowed;
    }

    static Stream<Arguments> everyPhaseAndAction() {
        Map<Phase, Set<Action>> allowed = allowed();
        return Arrays.stream(Phase.values()).flatMap(p -> Arrays.stream(Action.values())
                .map(a -> Arguments.of(p, a, allowed.get(p).contains(a))));
    }

    @Test
    void theTableCoversEveryPhaseAndAction() {
        assertThat(allowed().keySet()).containsExactlyInAnyOrder(Phase.values());
        assertThat(TARGET.keySet()).containsExactlyInAnyOrder(Action.values());
    }

    @ParameterizedTest(name = "{1} from {0}: allowed = {2}")
    @MethodSource("everyPhaseAndAction")
    void actionFromPhase(Phase phase, Action action, boolean allowed) {
        assertThat(action.allowedFrom(phase)).isEqualTo(allowed);
        assertThat(phase.allowedActions().contains(action)).isEqualTo(allowed);
        assertThat(action.target()).isEqualTo(TARGET.get(action));
        if (allowed) {
            assertThatCode(() -> action.check(MIGRATION, phase)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> action.check(MIGRATION, phase))
                    .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
                        assertThat(e.migration()).isEqualTo(MIGRATION);
                        assertThat(e.phase()).isEqualTo(phase);
                        assertThat(e.action()).isEqualTo(action);
                        assertThat(e.getMessage()).contains(MIGRATION, phase.name(), action.cliName());
                    });
        }
    }

    @Test
    void backfilledMeansTheRowsAreCopiedInThisPhase() {
        Set<Phase> backfilled = EnumSet.of(Phase.BACKFILLED, Phase.VERIFIED, Phase.CUT_OVER, Phase.COMPLETED);
        for (Phase p : Phase.values()) {
            assertThat(p.isBackfilled()).as(p.name()).isEqualTo(backfilled.contains(p));
        }
    }
}
