package dev.chatbatch.cli;

import dev.chatbatch.OperatorException;
import picocli.CommandLine.Option;

import java.io.Console;
import java.util.Locale;

/**
 * {@code --yes} and the question asked before a step that cannot be undone (a picocli mixin on
 * {@code migration cutover|complete|run} and {@code schema rollback}). On a terminal the operator types
 * {@code yes}; without one (a script, a pipe, CI) the command refuses unless {@code --yes} was given, so
 * nothing irreversible happens because nobody was there to be asked.
 */
final class Confirmation {

    @Option(names = {"-y", "--yes"}, description = "confirm without asking (for scripts: without a terminal the command"
            + " refuses unless --yes is given)")
    boolean yes;

    /** Where the question is asked. */
    interface Terminal {
        /** Whether a person can answer: standard input and output are a terminal. */
        boolean interactive();

        /** The answer typed after {@code prompt}, or null at end of input. */
        String ask(String prompt);
    }

    /** The process's terminal: {@link System#console()} is null unless both standard input and output are one. */
    static Terminal system() {
        return new Terminal() {
            @Override
            public boolean interactive() {
                return System.console() != null;
            }

            @Override
            public String ask(String prompt) {
                Console console = System.console();
                return console == null ? null : console.readLine("%s", prompt);
            }
        };
    }

    /**
     * Returns when the step may go on: {@code --yes} was given, or the operator typed {@code yes}. Otherwise
     * refuses (exit 2) with nothing changed.
     *
     * @param command     the command as typed, e.g. {@code migration cutover chat-messages-v2}
     * @param consequence what cannot be undone, e.g. {@code the triggers are dropped and v1 moves to schema archive}
     */
    void require(CliContext cli, String command, String consequence) {
        if (yes) {
            return;
        }
        Terminal terminal = cli.terminal();
        if (!terminal.interactive()) {
            throw OperatorException.usage(command + " asks for confirmation (" + consequence + ") and there is no terminal"
                    + " to ask on: add --yes to confirm it in a script. Nothing was changed.");
        }
        String answer = terminal.ask(command + ": " + consequence + ".\nType yes to go on: ");
        if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).equals("yes")) {
            throw OperatorException.usage(command + " not confirmed (the answer was not yes). Nothing was changed.");
        }
    }
}
