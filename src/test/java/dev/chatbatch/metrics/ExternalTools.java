package dev.chatbatch.metrics;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;

/**
 * Finds Prometheus' binaries (Debian package {@code prometheus}). Locally a missing binary skips the
 * test with a message saying how to install it; under {@code CI=true} it fails the run.
 */
final class ExternalTools {

    private ExternalTools() {
    }

    static Path require(String binary) {
        String path = System.getenv("PATH") == null ? "" : System.getenv("PATH");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = binary + " is not on the PATH: install the Debian package prometheus"
                + " (apt-get install -y prometheus; .ci/run does it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: required)");
        }
        Assumptions.abort(message + " - skipping");
        return null;
    }

    /** Runs a command to completion; returns its exit code and output. */
    static Result run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    record Result(int exitCode, String output) {
    }

    /** The project's grafana/ directory (tests run with the project root as working directory). */
    static Path grafanaDir() {
        Path dir = Path.of("grafana").toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            fail("grafana/ not found under " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
