package dev.chatbatch.migration;

import dev.chatbatch.cli.Cli;
import dev.chatbatch.testsupport.TestDatabase;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Test data for the migration tests, written here independently of the engine: a platform, clean and
 * dirty v1 rows of every kind, concurrent writers, the SPEC §5 mapping recomputed in plain SQL, and an
 * in-process CLI runner.
 */
final class MigrationTestData {

    static final String NAME = "chat-messages-v2";

    private MigrationTestData() {
    }

    /** The SPEC §5 up mapping, written from the spec text (not from the engine's generator). */
    static final String EXPECTED_V2 = """
            SELECT id, conversation_id, user_id AS author_id, reply_to_id AS parent_message_id,
                   CASE WHEN lower(btrim(role)) IN ('user', 'human') THEN 'user'
                        WHEN lower(btrim(role)) IN ('assistant', 'bot', 'ai') THEN 'assistant'
                        WHEN lower(btrim(role)) = 'system' THEN 'system'
                        WHEN lower(btrim(role)) = 'tool' THEN 'tool' END AS role,
                   jsonb_build_object('type', 'text', 'text', content) AS content,
                   CASE WHEN metadata IS NULL THEN '{}'::jsonb
                        WHEN jsonb_typeof(metadata) = 'object' THEN metadata
                        ELSE jsonb_build_object('legacy', metadata) END
                     || jsonb_strip_nulls(jsonb_build_object('model', model, 'latency_ms', latency_ms)) AS metadata,
                   coalesce(token_count, ceil(char_length(content) / 4.0)::int) AS token_count, created_at, updated_at
              FROM public.chat_messages
             WHERE content IS NOT NULL
               AND lower(btrim(role)) IN ('user', 'human', 'assistant', 'bot', 'ai', 'system', 'tool')""";

    static final String ACTUAL_V2 = """
            SELECT id, conversation_id, author_id, parent_message_id, role, content, metadata, token_count, created_at, updated_at
              FROM public.chat_messages_v2""";

    /** Rows of (expected EXCEPT ALL actual) + (actual EXCEPT ALL expected): 0 when v2 is exactly the mapping. */
    static long mappingDifferences(DataSource ds) {
        return count(ds, "SELECT (SELECT count(*) FROM (" + EXPECTED_V2 + " EXCEPT ALL " + ACTUAL_V2 + ") a)"
                + " + (SELECT count(*) FROM (" + ACTUAL_V2 + " EXCEPT ALL " + EXPECTED_V2 + ") b)");
    }

    static long count(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    static void exec(DataSource ds, String... sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Platform rows, {@code rows} clean-ish v1 messages (every role spelling, metadata kind) and dirty ones. */
    static void seed(DataSource ds, int rows, int bad) {
        exec(ds, """
                INSERT INTO public.tenants (id, name, slug) VALUES ('00000000-0000-0000-0000-000000000001', 'Acme', 'acme');
                INSERT INTO public.users (id, tenant_id, email)
                SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', 'u' || g || '@acme.test' FROM generate_series(1, 20) g;
                INSERT INTO public.conversations (tenant_id, user_id, title)
                SELECT '00000000-0000-0000-0000-000000000001', (SELECT id FROM public.users ORDER BY email LIMIT 1 OFFSET g % 20), 'c' || g
                  FROM generate_series(1, 100) g
                """, """
                INSERT INTO public.chat_messages (conversation_id, user_id, role, content, model, token_count, latency_ms, metadata,
                                                  created_at, updated_at)
                SELECT c.ids[1 + g % array_length(c.ids, 1)], CASE WHEN g % 7 = 0 THEN NULL ELSE u.ids[1 + g % 20] END,
                       (ARRAY['user', 'assistant', ' Human ', 'BOT', 'ai', 'System', 'TOOL', 'user', 'Assistant ', 'human'])[1 + g % 10],
                       CASE WHEN g % 13 = 0 THEN 'héllo wörld ✓ «' || g || '»' WHEN g % 997 = 0 THEN repeat('long ', 5000)
                            ELSE 'message ' || g || repeat(' text', g % 20) END,
                       CASE WHEN g % 3 = 0 THEN 'gpt-4o' END, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 500 END,
                       CASE WHEN g % 5 = 0 THEN g % 1000 END,
                       CASE g % 6 WHEN 0 THEN NULL WHEN 1 THEN jsonb_build_object('k', g, 'n', NULL) WHEN 2 THEN 'null'::jsonb
                                  WHEN 3 THEN '[1, 2]'::jsonb WHEN 4 THEN '"text"'::jsonb ELSE '42'::jsonb END,
                       now() - g * interval '1 second', now() - g * interval '1 second' + interval '5 ms'
                  FROM generate_series(1, ROWS) g,
                       (SELECT array_agg(id ORDER BY id) AS ids FROM public.conversations) c,
                       (SELECT array_agg(id ORDER BY id) AS ids FROM public.users) u
                """.replace("ROWS", String.valueOf(rows)), """
                INSERT INTO public.chat_messages (conversation_id, role, content, metadata, created_at)
                SELECT c.ids[1 + g % array_length(c.ids, 1)],
                       CASE WHEN g % 2 = 0 THEN 'user' ELSE (ARRAY['moderator', '', 'narrator', 'ADMIN ', ' '])[1 + g % 5] END,
                       CASE WHEN g % 2 = 0 THEN NULL ELSE 'dirty ' || g END, CASE WHEN g % 3 = 0 THEN '"x"'::jsonb END,
                       now() - g * interval '1 minute'
                  FROM generate_series(1, BAD) g, (SELECT array_agg(id ORDER BY id) AS ids FROM public.conversations) c
                """.replace("BAD", String.valueOf(bad)));
    }

    /** Threads inserting, updating (also into and out of rejection) and deleting v1 rows until stopped. */
    static final class Writers implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong ops = new AtomicLong();
        final List<Throwable> errors = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        Writers(DataSource ds, int n) {
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(() -> loop(ds), "writer-" + i);
                t.start();
                threads.add(t);
            }
        }

        private void loop(DataSource ds) {
            try (Connection c = ds.getConnection()) {
                List<String> convs = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM public.conversations")) {
                    while (rs.next()) {
                        convs.add(rs.getString(1));
                    }
                }
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get()) {
                    int op = r.nextInt(100);
                    try (Statement s = c.createStatement()) {
                        if (op < 40) {
                            String role = r.nextInt(10) == 0 ? "'martian'" : r.nextBoolean() ? "'user'" : "' AI '";
                            String content = r.nextInt(10) == 0 ? "NULL" : "'written live " + r.nextInt() + "'";
                            s.execute("INSERT INTO public.chat_messages (conversation_id, role, content, metadata, model) VALUES ('"
                                    + convs.get(r.nextInt(convs.size())) + "', " + role + ", " + content
                                    + ", '{\"live\": true}', 'm" + r.nextInt(3) + "')");
                        } else if (op < 70) {
                            s.execute("UPDATE public.chat_messages SET content = coalesce(content, 'fixed') || ' (edited)',"
                                    + " updated_at = now(), latency_ms = " + r.nextInt(100)
                                    + " WHERE id IN (SELECT id FROM public.chat_messages TABLESAMPLE SYSTEM (0.5) LIMIT " + (1 + r.nextInt(3)) + ")");
                        } else if (op < 80) {
                            // moves rows into and out of rejection
                            s.execute("UPDATE public.chat_messages SET role = CASE WHEN role = 'martian' THEN 'tool' ELSE 'martian' END,"
                                    + " updated_at = now() WHERE id IN (SELECT id FROM public.chat_messages TABLESAMPLE SYSTEM (0.5) LIMIT 1)");
                        } else {
                            s.execute("DELETE FROM public.chat_messages WHERE id IN (SELECT id FROM public.chat_messages"
                                    + " TABLESAMPLE SYSTEM (0.5) LIMIT " + (1 + r.nextInt(2)) + ")");
                        }
                        ops.incrementAndGet();
                    } catch (SQLException e) {
                        if (!"40P01".equals(e.getSQLState())) { // deadlocks between writers are the writers' business
                            throw e;
                        }
                    }
                    Thread.sleep(r.nextInt(3));
                }
            } catch (Throwable e) {
                synchronized (errors) {
                    errors.add(e);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    /** Runs the CLI in this JVM. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    /** A temporary jobs directory holding the shipped spec with texts replaced (find, replace, …; each must occur). */
    static String specCopy(String... findReplace) {
        try {
            String spec = Files.readString(Path.of("jobs", NAME + ".yml"));
            for (int i = 0; i < findReplace.length; i += 2) {
                if (!spec.contains(findReplace[i])) {
                    throw new IllegalStateException("jobs/" + NAME + ".yml no longer contains '" + findReplace[i] + "'");
                }
                spec = spec.replace(findReplace[i], findReplace[i + 1]);
            }
            Path dir = Files.createTempDirectory("chatbatch-jobs");
            Files.writeString(dir.resolve(NAME + ".yml"), spec);
            dir.toFile().deleteOnExit();
            dir.resolve(NAME + ".yml").toFile().deleteOnExit();
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Run cli(TestDatabase.Db db, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Stream.concat(Stream.of(db.cliArgs()), Stream.of(args)).toArray(String[]::new);
        int exit = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(all);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String string(DataSource ds, String sql, Object... params) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
