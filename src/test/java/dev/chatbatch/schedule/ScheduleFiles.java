package dev.chatbatch.schedule;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test copies of jobs/maintenance.yml with every schedule disabled except one. */
final class ScheduleFiles {

    private ScheduleFiles() {
    }

    static Path onlyJob(Path dir, String job, String cron) throws IOException {
        StringBuilder out = new StringBuilder();
        String current = null;
        for (String line : Files.readAllLines(Path.of("jobs/maintenance.yml"))) {
            if (line.matches("  [a-z-]+:\\s*")) {
                current = line.trim().replace(":", "");
            }
            if (line.trim().startsWith("enabled:")) {
                line = "    enabled: " + job.equals(current);
            } else if (line.trim().startsWith("cron:") && job.equals(current)) {
                line = "    cron: \"" + cron + "\"";
            }
            out.append(line).append('\n');
        }
        Path file = dir.resolve("maintenance-" + job + ".yml");
        Files.writeString(file, out);
        return file;
    }
}
