package dev.chatbatch.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steps that cannot be undone ask on a terminal and take {@code --yes} in scripts; without either they
 * refuse (exit 2) before anything is opened, naming {@code --yes}.
 */
class ConfirmationTest {

    /** Nothing listens here: a command that got as far as the database would fail on the connection instead. */
    private static final String NO_DATABASE = "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none";

    @Test
    void withoutTerminalOrYesEachIrreversibleCommandRefusesBeforeTouchingTheDatabase() {
        for (String[] command : List.of(new String[] {"migration", "cutover", "chat-messages-v2"},
                new String[] {"migration", "complete", "chat-messages-v2"}, new String[] {"migration", "run", "chat-messages-v2"},
                new String[] {"schema", "rollback", "--to", "0"}, new String[] {"schema", "rollback", "--module", "example-messages"})) {
            Result r = run(new Answers(false), prepend(NO_DATABASE, command));
            assertThat(r.exit).as(r.toString()).isEqualTo(2);
            assertThat(r.err).as(r.toString()).contains("there is no terminal to ask on: add --yes", "Nothing was changed")
                    .doesNotContain("connect", "Exception");
        }
    }

    @Test
    void onATerminalAnythingButYesRefuses() {
        Answers no = new Answers(true, "no");
        Result r = run(no, NO_DATABASE, "migration", "complete", "chat-messages-v2");
        assertThat(r.exit).as(r.toString()).isEqualTo(2);
        assertThat(r.err).contains("migration complete chat-messages-v2 not confirmed", "Nothing was changed");
        assertThat(no.prompts).singleElement().asString()
                .contains("migration complete chat-messages-v2: the triggers are dropped and v1 moves to schema archive", "Type yes");

        Result eof = run(new Answers(true), NO_DATABASE, "migration", "cutover", "chat-messages-v2");
        assertThat(eof.exit).as(eof.toString()).isEqualTo(2);
        assertThat(eof.err).contains("not confirmed");
    }

    @Test
    void onATerminalYesGoesOnAndYesOptionSkipsTheQuestion() {
        // going on means reaching the database, which is not there: the connection error proves it
        Answers yes = new Answers(true, " YES ");
        Result asked = run(yes, NO_DATABASE, "schema", "rollback", "--to", "7");
        assertThat(asked.err).as(asked.toString()).contains("cannot connect to PostgreSQL at 127.0.0.1:1").doesNotContain("confirm");
        assertThat(yes.prompts).singleElement().asString().contains("schema rollback --to 7: the rolled-back migrations' tables");

        Answers unused = new Answers(true);
        Result scripted = run(unused, NO_DATABASE, "migration", "cutover", "chat-messages-v2", "--yes");
        assertThat(scripted.err).as(scripted.toString()).contains("cannot connect to PostgreSQL").doesNotContain("confirm");
        assertThat(unused.prompts).isEmpty();
    }

    /** A terminal that answers from a list (null once it runs out, as at end of input) and records its prompts. */
    private static final class Answers implements Confirmation.Terminal {
        private final boolean interactive;
        private final List<String> answers;
        final List<String> prompts = new ArrayList<>();

        Answers(boolean interactive, String... answers) {
            this.interactive = interactive;
            this.answers = new ArrayList<>(List.of(answers));
        }

        @Override
        public boolean interactive() {
            return interactive;
        }

        @Override
        public String ask(String prompt) {
            prompts.add(prompt);
            return answers.isEmpty() ? null : answers.remove(0);
        }
    }

    private record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private static String[] prepend(String first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private static Result run(Confirmation.Terminal terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                terminal).run(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
