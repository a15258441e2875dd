package dev.chatbatch.schema.types;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.fail;

/**
 * Finds TypeScript's {@code tsc} (npm package typescript) as metrics' ExternalTools finds Prometheus:
 * on the PATH, or where {@code .ci/run} installs it ({@code .tools/typescript}). Locally a missing
 * compiler skips the test with a message saying how to install it; under {@code CI=true} it fails the run.
 */
final class TypeScriptCompiler {

    static final Path LOCAL = Path.of(".tools/typescript/node_modules/.bin/tsc");

    private TypeScriptCompiler() {
    }

    static Path require() {
        String path = System.getenv("PATH") == null ? "" : System.getenv("PATH");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "tsc");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        if (Files.isExecutable(LOCAL)) {
            return LOCAL.toAbsolutePath();
        }
        String message = "tsc is neither on the PATH nor in " + LOCAL + ": install it with"
                + " `npm install --no-save --prefix .tools/typescript typescript@5.9` (node and npm: apt-get install -y nodejs npm;"
                + " .ci/run does both)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: required)");
        }
        Assumptions.abort(message + " - skipping");
        return null;
    }

    /** Runs the compiler to completion in {@code dir}; returns its exit code and output. */
    static Result run(Path dir, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = require().toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    record Result(int exitCode, String output) {
    }
}
