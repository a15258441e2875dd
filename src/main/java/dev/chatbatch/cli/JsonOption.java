package dev.chatbatch.cli;

import dev.chatbatch.Json;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * {@code --json} for the commands that print a result (a picocli mixin): the result as JSON on stdout
 * instead of its text rendering, the same record either way.
 */
final class JsonOption {

    @Option(names = "--json", description = "machine-readable output")
    boolean enabled;

    /** {@code result} as JSON when {@code --json} was given, else as {@code text} renders it. */
    <T> void print(PrintStream out, T result, Consumer<T> text) {
        if (enabled) {
            Json.print(out, result);
        } else {
            text.accept(result);
        }
    }
}
