package dev.chatbatch;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintStream;

/**
 * The one JSON mapper of the runner: the CLI's {@code --json} output (pretty), the API's error bodies written
 * outside Spring MVC, and JSON kept in the bookkeeping tables (compact). Records are written as objects.
 */
public final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder().findAndAddModules().build();

    private Json() {
    }

    /** Indented, for people ({@code --json} output). */
    public static String write(Object value) {
        return MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }

    /** One line, for storage and HTTP bodies. */
    public static String compact(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static <T> T read(String json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }

    public static void print(PrintStream out, Object value) {
        out.println(write(value));
    }
}
