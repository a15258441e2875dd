package dev.chatbatch.cli;

import dev.chatbatch.OperatorException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The confirmation before what cannot be undone: typed yes, --yes, anything else, and no terminal. */
class ConfirmationTest {

    private static final String COMMAND = "chatbatch migration rollback m --clean-target";

    @Test
    void goesAheadOnlyWhenConfirmed() {
        List<String> asked = new ArrayList<>();
        new Confirmation(prompt -> {
            asked.add(prompt);
            return " YES ";
        }).require(false, COMMAND, "deletes every row of public.t");
        assertThat(asked).containsExactly("deletes every row of public.t\nType yes to go on: ");

        new Confirmation(prompt -> {
            throw new AssertionError("--yes must not ask");
        }).require(true, COMMAND, "deletes every row of public.t");

        assertThatThrownBy(() -> new Confirmation(prompt -> "n").require(false, COMMAND, "deletes every row of public.t"))
                .isInstanceOf(OperatorException.class).hasMessageContaining("not confirmed (answered 'n'")
                .hasMessageContaining("nothing was changed");
        assertThatThrownBy(() -> new Confirmation(prompt -> null).require(false, COMMAND, "deletes every row of public.t"))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("no terminal to ask on: add --yes to confirm (`" + COMMAND + " --yes`)");
    }
}
