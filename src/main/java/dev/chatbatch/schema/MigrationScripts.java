package dev.chatbatch.schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * This build's platform migrations ({@code db/migration/V<n>__<description>.sql}) as Flyway resolves them:
 * version, description and checksum, without Flyway. What {@link SchemaService#requireCurrentFromHistory()}
 * compares the history table with.
 *
 * <p>The build computes them once ({@link #main}, run by Maven after the resources are copied) into
 * {@link #INDEX}, one {@code <checksum> <script>} line per script: a command then reads one small resource
 * instead of listing and reading every script. A test holds the index equal to Flyway's own view. Public only
 * for that build step, which calls {@link #main} from outside the package.
 */
public final class MigrationScripts {

    static final String LOCATION = "db/migration";
    static final String INDEX = "schema/platform-migrations.txt";
    private static final Pattern NAME = Pattern.compile("V(\\d+)__(.+)\\.sql");

    /** One script: what Flyway writes to the history table's version, description, script and checksum. */
    record Script(int version, String description, String script, int checksum) {
        static Script of(String script, int checksum) {
            Matcher m = NAME.matcher(script);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a migration script name: " + script);
            }
            return new Script(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), script, checksum);
        }
    }

    private MigrationScripts() {
    }

    /** Every platform migration of this build, by version, from the index the build wrote. */
    static List<Script> platform() {
        InputStream in = MigrationScripts.class.getClassLoader().getResourceAsStream(INDEX);
        if (in == null) {
            throw new IllegalStateException(INDEX + " is missing from this build: build with Maven (mvn package), which writes it");
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().filter(line -> !line.isBlank()).map(line -> {
                int space = line.indexOf(' ');
                return Script.of(line.substring(space + 1), Integer.parseInt(line.substring(0, space)));
            }).sorted(Comparator.comparingInt(Script::version)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INDEX, e);
        }
    }

    /**
     * Flyway's checksum of a script: CRC-32 over the UTF-8 bytes of its lines without their line breaks
     * (so LF and CRLF give the same), without the byte order mark a script may start with.
     */
    static int checksum(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096);
        String line = reader.readLine();
        if (line != null && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
            line = line.substring(1);
        }
        for (; line != null; line = reader.readLine()) {
            crc.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return (int) crc.getValue();
    }

    /** Writes {@link #INDEX} for the scripts in {@code <classes>/db/migration}: the build's step, {@code args[0]} is the classes directory. */
    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        List<Script> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.list(classes.resolve(LOCATION))) {
            for (Path file : files.filter(f -> NAME.matcher(f.getFileName().toString()).matches()).toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    scripts.add(Script.of(file.getFileName().toString(), checksum(in)));
                }
            }
        }
        Path index = classes.resolve(INDEX);
        Files.createDirectories(index.getParent());
        Files.write(index, scripts.stream().sorted(Comparator.comparingInt(Script::version))
                .map(s -> s.checksum() + " " + s.script()).toList(), StandardCharsets.UTF_8);
    }
}
