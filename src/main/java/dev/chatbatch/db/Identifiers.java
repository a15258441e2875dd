package dev.chatbatch.db;

import java.util.regex.Pattern;

/**
 * Validates and quotes SQL identifiers that come from configuration (specs, schedules, job
 * parameters). Only plain lower-case names are accepted, so a name can never carry SQL; a refusal
 * says which name and why. Values are never passed through here: they are bound as parameters.
 */
public final class Identifiers {

    private static final Pattern SIMPLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Identifiers() {
    }

    /** True when {@code name} is a plain lower-case identifier of at most 63 characters. */
    public static boolean isValid(String name) {
        return name != null && SIMPLE.matcher(name).matches();
    }

    /** Returns {@code name} double-quoted, or throws naming {@code what} when it is not a plain identifier. */
    public static String quote(String what, String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a valid identifier:"
                    + " use lower-case letters, digits and underscores, starting with a letter or underscore,"
                    + " at most 63 characters");
        }
        return '"' + name + '"';
    }

    /** Quotes a possibly schema-qualified name ({@code schema.table} or {@code table}). */
    public static String quoteQualified(String what, String qualifiedName) {
        if (qualifiedName == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        String[] parts = qualifiedName.split("\\.", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException(what + " '" + qualifiedName + "' has more than one dot: use schema.table");
        }
        if (parts.length == 2) {
            return quote(what + " schema", parts[0]) + "." + quote(what, parts[1]);
        }
        return quote(what, parts[0]);
    }
}
