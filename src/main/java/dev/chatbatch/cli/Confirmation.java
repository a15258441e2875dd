package dev.chatbatch.cli;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * Asks before a command does what cannot be undone: on a terminal the operator types {@code yes}; a script
 * passes {@code --yes} instead. Without a terminal and without {@code --yes} the command is refused, saying to
 * add {@code --yes}, so a script never hangs on a question nobody sees nor goes ahead unconfirmed.
 */
final class Confirmation {

    /** Where the question is asked: the answer typed, or null when there is no terminal to ask on. */
    interface Terminal {
        String ask(String prompt);
    }

    private final Terminal terminal;

    Confirmation(Terminal terminal) {
        this.terminal = terminal;
    }

    /** Asks on the process's console, when stdin and stdout are a terminal. */
    static Confirmation console() {
        return new Confirmation(prompt -> {
            Console console = System.console();
            return console == null || !isTerminal(console) ? null : console.readLine("%s", prompt);
        });
    }

    /**
     * Returns when the operator confirmed {@code what} (or {@code yes} was given); otherwise refuses (exit 2) with
     * nothing done. {@code command} is the command line to repeat with {@code --yes}.
     */
    void require(boolean yes, String command, String what) {
        if (yes) {
            return;
        }
        String answer = terminal.ask(what + "\nType yes to go on: ");
        if (answer == null) {
            throw new OperatorException(ExitCode.USAGE, "`" + command + "` " + what + ", and asks first, but there is no"
                    + " terminal to ask on: add --yes to confirm (`" + command + " --yes`); nothing was changed");
        }
        if (!"yes".equals(answer.trim().toLowerCase(Locale.ROOT))) {
            throw new OperatorException(ExitCode.USAGE, "not confirmed (answered '" + answer.trim() + "', not 'yes'): nothing"
                    + " was changed");
        }
    }

    /**
     * Java 22 and later hand out a console also when the streams are redirected, and say whether it is a
     * terminal ({@code Console.isTerminal}); up to Java 21 there is a console only on a terminal.
     */
    private static boolean isTerminal(Console console) {
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
