package dev.chatbatch.migration;

import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.chatbatch.migration.MigrationTestData.NAME;
import static dev.chatbatch.migration.MigrationTestData.cli;
import static dev.chatbatch.migration.MigrationTestData.count;
import static dev.chatbatch.migration.MigrationTestData.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * Loading a spec never runs anything of it, and a mapping is a function of its row alone: expressions
 * that run statements, read files, sleep, depend on time or session, or reach outside the row are
 * refused at load time, naming the file, the field and the function.
 */
class MigrationSpecSafetyTest {

    static TestDatabase.Db db;
    static DataSource ds;
    static String shipped;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.migrated();
        ds = db.dataSource();
        shipped = Files.readString(Path.of("jobs/chat-messages-v2.yml"));
        MigrationTestData.seed(ds, 50, 5);
        exec(ds, "CREATE SEQUENCE public.spec_seq");
        exec(ds, """
                INSERT INTO public.feedback (message_id, user_id, rating)
                SELECT m.id, m.user_id, 'up' FROM public.chat_messages m WHERE m.user_id IS NOT NULL LIMIT 5""");
    }

    private MigrationSpecLoader loader(Path dir) {
        return new MigrationSpecLoader(ds, dir.toString());
    }

    private String refusal(Path dir, String spec) throws Exception {
        Files.writeString(dir.resolve("bad.yml"), spec);
        return assertThatThrownBy(() -> loader(dir).load(NAME)).isInstanceOf(OperatorException.class)
                .extracting(Throwable::getMessage).asString().actual();
    }

    /** The shipped spec with up.{@code column} (the role block, or a one-line mapping) set to {@code expr}. */
    private static String up(String column, String expr) {
        String old = "role".equals(column)
                ? shipped.substring(shipped.indexOf("  role: >-"), shipped.indexOf("\n  content: jsonb_build_object"))
                : shipped.lines().filter(l -> l.startsWith("  " + column + ": ")).findFirst().orElseThrow();
        return shipped.replace(old, "  " + column + ": \"" + expr.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    @Test
    void anEscapeStringCannotSmuggleStatementsAndVerifyRunsNothing(@TempDir Path dir) throws Exception {
        long feedback = count(ds, "SELECT count(*) FROM public.feedback");
        assertThat(feedback).isPositive();
        String payload = "E'\\'' || 'a'); DELETE FROM public.feedback; CREATE TABLE public.injected_verify AS"
                + " SELECT current_user AS who; SELECT (E'\\'' || 'user'";
        String spec = shipped.replaceFirst("(?s)  role: >-\n.*?    END\n",
                java.util.regex.Matcher.quoteReplacement("  role: '" + payload.replace("'", "''") + "'\n"));
        assertThat(spec).contains("DELETE FROM public.feedback");
        Files.writeString(dir.resolve(NAME + ".yml"), spec);
        MigrationTestData.Run run = cli(db, "--chatbatch.jobs-dir=" + dir, "migration", "verify", NAME);
        assertThat(count(ds, "SELECT count(*) FROM public.feedback")).as(run.toString()).isEqualTo(feedback);
        assertThat(count(ds, "SELECT count(*) FROM pg_class WHERE relname = 'injected_verify'")).isZero();
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(NAME + ".yml", "up.role", "';'", "chr(59)");
    }

    @Test
    void literalsAreReadAsPostgreSQLReadsThem(@TempDir Path dir) throws Exception {
        // a ';' is refused even inside a literal: pgjdbc splits on it client-side
        assertThat(refusal(dir, up("role", "CASE WHEN s.role = 'a;b' THEN 'user' ELSE 'user' END")))
                .contains("bad.yml", "up.role", "chr(59)");
        // E'\'' is one quote inside the literal, so the comment after it is outside and refused
        assertThat(refusal(dir, up("role", "E'\\'' || 'user' -- x"))).contains("up.role", "comments");
        assertThat(refusal(dir, up("role", "'user' /* /* nested */ */"))).contains("up.role", "comments");
        assertThat(refusal(dir, up("role", "$x$user$x$"))).contains("up.role", "'$'");
        assertThat(refusal(dir, up("role", "{fn lcase('USER')}"))).contains("up.role", "JDBC escape");
        assertThat(refusal(dir, up("role", "'us\\er'"))).contains("up.role", "standard_conforming_strings");
        assertThat(refusal(dir, up("role", "E'user\\'"))).contains("up.role", "unterminated");
        // accepted: each of these is one literal or identifier that contains what would otherwise be refused
        Files.writeString(dir.resolve("bad.yml"), up("role",
                "CASE WHEN s.\"role\" IN (E'it\\'s -- no comment', 'a''b /* x */', U&'\\0041$', \"s\".role || '?') THEN 'user' ELSE 'user' END"));
        assertThat(loader(dir).load(NAME).up().get("role")).contains("U&'\\0041$'");
    }

    @Test
    void functionsThatDoNotFollowFromTheRowAreRefusedNamingThem(@TempDir Path dir) throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("pg_read_file('/etc/passwd')", "pg_read_file");
        cases.put("pg_sleep(100)::text", "pg_sleep");
        cases.put("s.content || clock_timestamp()", "clock_timestamp");
        cases.put("s.content || random()", "random");
        cases.put("s.content || now()", "now");
        cases.put("s.content || CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP");
        cases.put("current_user::text", "current_user");
        cases.put("current_setting('application_name')", "current_setting");
        cases.put("s.content || txid_current()", "txid_current");
        cases.put("s.content || pg_backend_pid()", "pg_backend_pid");
        cases.put("set_config('work_mem', '1GB', false)", "set_config");
        cases.put("s.content || pg_advisory_lock(1)::text", "pg_advisory_lock");
        cases.put("s.content || lo_import('/etc/passwd')", "lo_import");
        cases.put("query_to_xml('select 1', true, false, '')::text", "query_to_xml");
        cases.put("s.content || nextval('public.spec_seq')", "nextval(regclass)");
        cases.put("s.content || (s.id = ANY (ARRAY(SELECT m.id FROM public.chat_messages m)))::text", "subquery");
        cases.put("(SELECT max(u.email) FROM public.users u)", "subquery");
        cases.put("max(s.content)", "aggregate");
        cases.put("s.content || row_number() OVER ()", "window");
        cases.put("s.content || generate_series(1, 2)", "set");
        cases.put("s.content || 'public.users'::regclass::text", "relation public.users");
        cases.put("public.volatile_fn(s.content)", "public.volatile_fn(text)");
        cases.put("public.definer_fn(s.content)", "SECURITY DEFINER");
        cases.put("public.stable_fn(s.content)", "public.stable_fn(text)");
        cases.put("public.default_fn(s.content)", "now");
        exec(ds, "CREATE OR REPLACE FUNCTION public.volatile_fn(x text) RETURNS text LANGUAGE sql AS 'SELECT x'",
                "CREATE OR REPLACE FUNCTION public.definer_fn(x text) RETURNS text LANGUAGE sql IMMUTABLE SECURITY DEFINER AS 'SELECT x'",
                "CREATE OR REPLACE FUNCTION public.stable_fn(x text) RETURNS text LANGUAGE sql STABLE AS 'SELECT x'",
                "CREATE OR REPLACE FUNCTION public.default_fn(x text, at timestamptz DEFAULT now()) RETURNS text"
                        + " LANGUAGE sql IMMUTABLE AS 'SELECT x'",
                "CREATE OR REPLACE FUNCTION public.pure_fn(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)'");
        if (count(ds, "SELECT count(*) FROM pg_available_extensions WHERE name = 'dblink'") > 0) {
            exec(ds, "CREATE EXTENSION IF NOT EXISTS dblink");
            cases.put("s.content || dblink_exec('dbname=postgres', 'DELETE FROM public.feedback')", "dblink_exec");
        }
        long v2 = count(ds, "SELECT count(*) FROM public.chat_messages_v2");
        assertSoftly(soft -> {
            for (Map.Entry<String, String> c : cases.entrySet()) {
                String msg;
                try {
                    msg = refusal(dir, up("content", "jsonb_build_object('text', " + c.getKey() + ")"));
                } catch (Throwable e) {
                    soft.fail(c.getKey() + " was accepted");
                    continue;
                }
                soft.assertThat(msg).as(c.getKey()).contains("bad.yml", "up.content", c.getValue());
            }
        });
        assertThat(count(ds, "SELECT count(*) FROM public.chat_messages_v2")).isEqualTo(v2);

        // the same rules for reject rules and the down mapping
        assertThat(refusal(dir, shipped.replace("- when: s.content IS NULL", "- when: s.content IS NULL OR random() < 0.5")))
                .contains("bad.yml", "rejects[0].when", "random");
        assertThat(refusal(dir, shipped.replace("'content is null: v2 requires content'", "'content is null at ' || now()")))
                .contains("bad.yml", "rejects[0].reason", "now");
        assertThat(refusal(dir, shipped.replace("  model: t.metadata ->> 'model'", "  model: pg_read_file('/etc/hostname')")))
                .contains("bad.yml", "down.model", "pg_read_file");
        assertThat(refusal(dir, shipped.replace("  model: t.metadata ->> 'model'",
                "  model: (SELECT max(m.model) FROM public.chat_messages m)"))).contains("bad.yml", "down.model", "subquery");
    }

    @Test
    void rowFunctionsStillLoad(@TempDir Path dir) throws Exception {
        exec(ds, "CREATE OR REPLACE FUNCTION public.pure_fn(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)'");
        Files.writeString(dir.resolve("ok.yml"), shipped.replace("content: jsonb_build_object('type', 'text', 'text', s.content)",
                        "content: jsonb_build_object('type', 'text', 'text', public.pure_fn(s.content), 'year',"
                                + " to_char(s.created_at, 'YYYY'), 'type_of', pg_typeof(s.content)::text, 'up', upper(s.content))"));
        MigrationSpec spec = loader(dir).load(NAME);
        assertThat(spec.up().get("content")).contains("public.pure_fn");
    }
}
