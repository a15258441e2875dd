package dev.chatbatch.config;

import dev.chatbatch.OperatorException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where both kinds of job file are read from, the migration specs and {@code maintenance.yml}: the
 * directory {@code --chatbatch.jobs-dir=DIR} names (which must exist: a typo must not fall back to the
 * built-in files unnoticed), else {@code ./jobs} when there is one, else the copies built into the jar.
 */
public final class JobsDirectory {

    public static final String PROPERTY = "chatbatch.jobs-dir";
    private static final Path DEFAULT = Path.of("jobs");

    private JobsDirectory() {
    }

    /** The directory to read, or null for the built-in files; {@code configured} is the property's value (null: unset). */
    public static Path resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            if (!Files.isDirectory(dir)) {
                throw OperatorException.usage("--" + PROPERTY + "=" + configured + ": no such directory ("
                        + dir.toAbsolutePath() + "); name the directory holding the migration specs and maintenance.yml,"
                        + " or leave the option out to read ./jobs (or the built-in files)");
            }
            return dir;
        }
        return Files.isDirectory(DEFAULT) ? DEFAULT : null;
    }
}
