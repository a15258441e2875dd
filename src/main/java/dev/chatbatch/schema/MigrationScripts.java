package dev.chatbatch.schema;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * This build's platform migrations ({@code db/migration/V<n>__<description>.sql}) as Flyway resolves them:
 * version, description and checksum, without Flyway. What {@link SchemaService#requireCurrentFromHistory()}
 * compares the history table with.
 */
final class MigrationScripts {

    static final String LOCATION = "db/migration";
    private static final Pattern NAME = Pattern.compile("V(\\d+)__(.+)\\.sql");

    /** One script: what Flyway writes to the history table's version, description, script and checksum. */
    record Script(int version, String description, String script, int checksum) {
    }

    private MigrationScripts() {
    }

    /** Every platform migration of this build, by version. */
    static List<Script> platform() {
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath:" + LOCATION + "/V*.sql");
            List<Script> scripts = new ArrayList<>();
            for (Resource resource : resources) {
                Matcher m = NAME.matcher(String.valueOf(resource.getFilename()));
                if (m.matches()) {
                    try (InputStream in = resource.getInputStream()) {
                        scripts.add(new Script(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), m.group(), checksum(in)));
                    }
                }
            }
            scripts.sort(Comparator.comparingInt(Script::version));
            return scripts;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the migration scripts in " + LOCATION, e);
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
}
