package dev.chatbatch.schema.types;

import dev.chatbatch.schema.SchemaModules;
import dev.chatbatch.schema.SchemaService;
import dev.chatbatch.testsupport.CliRun;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code schema types --lang typescript --out FILE} on the platform with both modules applied: the file
 * compiles with {@code tsc --noEmit --strict}, and a checker compiled against it proves that every
 * table and function of public (and of each module's schema) is named, no more and no fewer, and that
 * the mapping holds where it matters (required vs optional on Insert, null, number, Json, arrays, enums,
 * identity columns, arguments with defaults, RETURNS TABLE rows, overloads).
 */
class TypeScriptTypesTest {

    /** Functions Supabase's generator leaves out: triggers and extension members. */
    private static final String FUNCTIONS = "select distinct p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
            + " where n.nspname = ? and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype"
            + " and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')"
            + " order by 1";

    @TempDir
    Path dir;

    @Test
    void generatedTypesCompileAndNameEveryTableAndFunction() throws Exception {
        Path tsc = TypeScriptCompiler.require();
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        TransactionTemplate tx = new TransactionTemplate(new JdbcTransactionManager(ds));
        SchemaModules modules = new SchemaModules(ds, tx, new SchemaService(ds, tx));
        modules.migrate("example-messages");
        modules.migrate("direct-messages");

        // Shapes the platform does not have yet: an enum, an identity column, an array, an overloaded function.
        JdbcTemplate owner = new JdbcTemplate(ds);
        owner.execute("create type public.tt_mood as enum ('happy', 'sad')");
        owner.execute("create table public.tt_enum_use (id bigint generated always as identity primary key,"
                + " mood public.tt_mood not null, tags text[])");
        owner.execute("create function public.tt_overload(a integer) returns integer language sql as 'select a'");
        owner.execute("create function public.tt_overload(a text) returns text language sql as 'select a'");

        Path types = dir.resolve("database.types.ts");
        CliRun run = CliRun.on(db, "schema", "types", "--lang", "typescript", "--out", types.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("public, direct_messages, example_messages");
        String text = Files.readString(types);
        assertThat(text).contains("export type Json =", "export type Database = {", "  public: {", "  example_messages: {",
                "  direct_messages: {", "Tables: {", "Views: {", "Functions: {", "Enums: {", "CompositeTypes: {");

        JdbcTemplate jdbc = new JdbcTemplate(ds);
        StringBuilder check = new StringBuilder("import type { Database, Tables, TablesInsert, TablesUpdate } from \"./database.types\"\n\n"
                + "type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false\n");
        for (String schema : List.of("public", "example_messages", "direct_messages")) {
            List<String> tables = jdbc.queryForList("select tablename from pg_tables where schemaname = ? order by 1", String.class, schema);
            // materialized views count as views, as in Supabase's generator
            List<String> views = jdbc.queryForList("select viewname from pg_views where schemaname = ?"
                    + " union select matviewname from pg_matviews where schemaname = ? order by 1", String.class, schema, schema);
            List<String> functions = jdbc.queryForList(FUNCTIONS, String.class, schema);
            assertThat(tables).isNotEmpty();
            assertThat(functions).isNotEmpty();
            exactly(check, schema, "Tables", tables);
            exactly(check, schema, "Functions", functions);
            if (!views.isEmpty()) {
                exactly(check, schema, "Views", views);
            }
        }
        check.append("""

                const insert: TablesInsert<"chat_messages_v2"> = {
                  id: "00000000-0000-0000-0000-000000000001", conversation_id: "c", role: "user",
                  content: { type: "text", text: "hi" }, token_count: 1, created_at: "t", updated_at: "t",
                }
                // @ts-expect-error conversation_id is NOT NULL without a default: required on Insert
                const missing: TablesInsert<"chat_messages_v2"> = { id: "i", role: "user", content: {}, token_count: 1, created_at: "t", updated_at: "t" }
                const update: TablesUpdate<"chat_messages_v2"> = { token_count: 2 }
                const legacyContent: Tables<"chat_messages">["content"] = null
                // @ts-expect-error token_count is a number
                const wrongType: Tables<"chat_messages_v2">["token_count"] = "1"
                // @ts-expect-error NOT NULL columns are not nullable in Row
                const notNull: Tables<"chat_messages_v2">["conversation_id"] = null
                const metadata: Tables<"chat_messages_v2">["metadata"] = { model: "m", latency_ms: 3, tags: ["a"], nested: { x: null } }
                const day: Tables<"daily_message_volume">["message_count"] = null
                const historyArgs: Database["public"]["Functions"]["get_conversation_history"]["Args"] = { p_session_id: "s" }
                const history: Database["public"]["Functions"]["get_conversation_history"]["Returns"] = [
                  { id: "i", role: "user", content: { type: "text" }, author_id: null, parent_message_id: null, provider: "openai",
                    model: null, token_count: 1, cost_usd: 0.25, latency_ms: null, created_at: "t" },
                ]
                const cost: Database["public"]["Functions"]["get_session_cost"]["Returns"] = 1.5
                const page: Database["direct_messages"]["Functions"]["get_messages"]["Args"] = { user1_id: "a", user2_id: "b", limit: 20, before: "t" }
                // @ts-expect-error user2_id has no default
                const half: Database["direct_messages"]["Functions"]["get_messages"]["Args"] = { user1_id: "a" }
                const thread: Database["example_messages"]["Functions"]["get_message_thread"]["Returns"][number]["depth"] = 2
                const member: Database["direct_messages"]["Tables"]["group_members"]["Insert"] = { group_id: "g", user_id: "u" }
                const channel: Database["example_messages"]["Tables"]["channels"]["Insert"] = { workspace_id: "w", name: "general" }
                const mood: Tables<"tt_enum_use">["mood"] = "happy"
                // @ts-expect-error not a label of the enum
                const badMood: Tables<"tt_enum_use">["mood"] = "angry"
                const tags: Tables<"tt_enum_use">["tags"] = ["a", "b"]
                const enumInsert: TablesInsert<"tt_enum_use"> = { mood: "sad" }
                // @ts-expect-error an identity column is never inserted
                const idInsert: TablesInsert<"tt_enum_use"> = { id: 1, mood: "sad" }
                const label: Database["public"]["Enums"]["tt_mood"] = "sad"
                const o1: Database["public"]["Functions"]["tt_overload"] = { Args: { a: 1 }, Returns: 1 }
                const o2: Database["public"]["Functions"]["tt_overload"] = { Args: { a: "x" }, Returns: "x" }
                """);
        Files.writeString(dir.resolve("check.ts"), check.toString());

        TypeScriptCompiler.Result compiled = TypeScriptCompiler.run(dir, "--noEmit", "--strict", "--target", "es2020",
                "--skipLibCheck", "database.types.ts", "check.ts");
        assertThat(compiled.exitCode()).as(compiled.output() + "\n--- check.ts\n" + check).isZero();
        assertThat(tsc).isNotNull();
    }

    /** A compile-time check that a schema's section has exactly these keys. */
    private static void exactly(StringBuilder check, String schema, String section, List<String> names) {
        String id = schema + "_" + section;
        check.append("const ").append(id).append(" = [")
                .append(names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", ")))
                .append("] as const satisfies readonly (keyof Database[\"").append(schema).append("\"][\"").append(section).append("\"])[]\n")
                .append("const ").append(id).append("_exact: Same<keyof Database[\"").append(schema).append("\"][\"").append(section)
                .append("\"], (typeof ").append(id).append(")[number]> = true\n");
    }
}
