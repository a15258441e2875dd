package dev.chatbatch.ops;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintStream;

/** The one JSON writer of the CLI's {@code --json} output: pretty-printed, records as objects. */
public final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Json() {
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static void print(PrintStream out, Object value) {
        out.println(write(value));
    }
}
