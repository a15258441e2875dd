package dev.chatbatch.config;

/**
 * The file a loader is reading, as its refusals name it. Handed to the checks of one file so that
 * each says only the field and the reason: {@code throw file.at("chunk.size", "…")}.
 */
public record ConfigFile(String name) {

    /** The refusal of {@code field} of this file. */
    public ConfigFileException at(String field, String reason) {
        return new ConfigFileException(name, field, reason);
    }
}
