package dev.chatbatch.schema;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Flyway's {@code info().pending()} and {@code validate()} as {@link SchemaService#requireCurrent()} uses them,
 * over this build's scripts and the history table's rows, without Flyway: the same verdicts, worded as
 * Flyway words them (first line), plus the migrations newer than this build that Flyway's validate lets pass.
 * Flyway's states: a script not applied is pending above the highest applied version and ignored below it;
 * a row without a script is missing below this build's newest script and future above it. One refusal is
 * worded differently: a row of another type than SQL is a type mismatch here, where Flyway reports the same
 * version as not resolved and not applied.
 */
final class HistoryCheck {

    /** A row of the history table that carries a version. */
    record Row(String version, String description, String type, Integer checksum, boolean success) {
    }

    /**
     * @param current     the highest version applied (failed included, as Flyway's {@code current()}), "0" when none
     * @param pending     how many scripts are pending; when some are, {@code problems} is not looked at
     * @param lastPending the newest pending version, or null
     * @param problems    {@code V<n>: <what>} per version, oldest first; empty when the schema is this build's
     */
    record Verdict(String current, int pending, String lastPending, List<String> problems) {
    }

    /** Flyway's order of versions: numerically, part by part ({@code 1.10 > 1.9}, {@code 1.0 = 1}). */
    static final Comparator<String> VERSION_ORDER = HistoryCheck::compareVersions;

    private HistoryCheck() {
    }

    static Verdict compare(List<MigrationScripts.Script> scripts, List<Row> rows) {
        TreeMap<String, MigrationScripts.Script> local = new TreeMap<>(VERSION_ORDER);
        scripts.forEach(s -> local.put(String.valueOf(s.version()), s));
        TreeMap<String, Row> applied = new TreeMap<>(VERSION_ORDER);
        rows.forEach(r -> applied.put(r.version(), r)); // a version applied twice: its latest row, as Flyway
        String current = applied.isEmpty() ? "0" : applied.lastKey();
        List<String> pending = local.keySet().stream()
                .filter(v -> !applied.containsKey(v) && (applied.isEmpty() || compareVersions(v, current) > 0)).toList();
        if (!pending.isEmpty()) {
            return new Verdict(current, pending.size(), pending.get(pending.size() - 1), List.of());
        }
        String newest = local.isEmpty() ? "0" : local.lastKey();
        TreeSet<String> versions = new TreeSet<>(VERSION_ORDER);
        versions.addAll(local.keySet());
        versions.addAll(applied.keySet());
        List<String> problems = new ArrayList<>();
        for (String version : versions) {
            String problem = problem(version, applied.get(version), local.get(version), newest);
            if (problem != null) {
                problems.add("V" + version + ": " + problem);
            }
        }
        return new Verdict(current, 0, null, problems);
    }

    /** What is wrong with one version, or null: Flyway's checks in Flyway's order, its first one that fails. */
    private static String problem(String version, Row row, MigrationScripts.Script script, String newest) {
        if (row != null && script == null && compareVersions(version, newest) > 0) {
            return SchemaService.newerProblem(newest);
        }
        if (row != null && !row.success()) {
            return "Detected failed migration to version " + version + " (" + row.description() + ").";
        }
        if (script == null) {
            return "Detected applied migration not resolved locally: " + version + ".";
        }
        if (row == null) {
            return "Detected resolved migration not applied to database: " + version + ".";
        }
        if (!"SQL".equals(row.type())) {
            return "Migration type mismatch for migration version " + version;
        }
        if (!Objects.equals(row.checksum(), script.checksum())) {
            return "Migration checksum mismatch for migration version " + version;
        }
        if (!script.description().equals(row.description())) {
            return "Migration description mismatch for migration version " + version;
        }
        return null;
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = part(x, i).compareTo(part(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static BigInteger part(String[] parts, int i) {
        return i < parts.length ? new BigInteger(parts[i]) : BigInteger.ZERO;
    }
}
