package dev.chatbatch.migration;

import dev.chatbatch.config.ConfigFile;
import dev.chatbatch.db.Identifiers;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides what a spec expression is, without running anything of it. PostgreSQL's own parser decides:
 * the expression is wrapped in a temporary view ({@code SELECT (<expr>) FROM <row table> AS s}) inside the
 * loader's transaction, which is rolled back, and the view's stored query tree (pg_rewrite.ev_action) and
 * dependencies (pg_depend) are read back. Creating a view parses and analyses the expression but never
 * evaluates it (no planning, so not even constant folding). Assignment types are checked by a
 * describe-only prepare of {@code INSERT INTO <table> (<column>) SELECT (<expr>) …} (Parse + Describe).
 *
 * <p>Rules for a row mapping ({@code up}, {@code rejects}, {@code down}): its value must follow from the
 * row alone, so the dual write, the backfill and verify agree, and it must not reach outside the row.
 * Refused: volatile functions; time, session and transaction functions even where PostgreSQL marks them
 * stable ({@link #TIME}, {@link #SESSION}; non-immutable {@code pg_*} functions, which read the catalog,
 * statistics or the session); everything in {@link #OUTSIDE} (files, large objects, other databases,
 * sleep, settings, sequences, advisory locks, notifications, queries run as XML, backend signals);
 * {@code CURRENT_TIMESTAMP}/{@code current_user}-style keywords; subqueries; aggregates and window
 * functions; set-returning functions; any relation other than the row's table. Stable {@code pg_catalog}
 * functions not listed are accepted (e.g. {@code jsonb_build_object}, {@code quote_literal}, {@code to_char}:
 * stable only because output functions may read settings such as TimeZone). Functions outside
 * {@code pg_catalog} (user-defined, extensions) are accepted only when IMMUTABLE and not SECURITY DEFINER:
 * their author vouches for IMMUTABLE, and a SECURITY DEFINER function would run with another role's rights
 * inside the dual-write trigger.
 *
 * <p>The throttle query is a query, not a row mapping: it may read any table or statistics view and call
 * volatile catalog functions (the pg_stat_* views do), but nothing of {@link #OUTSIDE}, no user-defined
 * volatile function (it could write), no data-modifying WITH and no FOR UPDATE/SHARE.
 */
final class ExpressionCheck {

    /** What an expression is for: a function of one row, or the throttle's free-standing query. */
    enum Kind { MAPPING, QUERY }

    private static final String ROW_ONLY = "a mapping must be a function of its row alone (same value for the same"
            + " row at any time, in any session), or the dual write, the backfill and verify would disagree";

    /** Function names (any schema) that reach outside the row or have side effects, with why. */
    static final Map<Pattern, String> OUTSIDE = patterns(
            "pg_read_.*|pg_ls_.*|pg_stat_file|pg_file_.*|pg_logdir_ls", "reads server files",
            "lo_.*|loread|lowrite", "reads or writes large objects",
            "dblink.*|postgres_fdw_.*", "reaches another database",
            "pg_sleep.*", "sleeps",
            "set_config", "changes settings",
            "nextval|currval|setval|lastval", "uses a sequence",
            "pg_(try_)?advisory_.*", "takes advisory locks",
            "pg_notify", "sends notifications",
            ".*_to_xml|.*_to_xmlschema|.*_to_xml_and_xmlschema", "runs queries (table/query/cursor to XML)",
            "pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile.*|pg_switch_wal|pg_promote"
                    + "|pg_log_backend_memory_contexts|pg_stat_reset.*|pg_create_.*|pg_drop_.*|pg_replication_.*"
                    + "|pg_logical_.*|pg_copy_.*|pg_wal_replay_.*|pg_backup_.*|pg_start_backup|pg_stop_backup"
                    + "|pg_import_system_collations|pg_nextoid|binary_upgrade_.*",
            "administers the server");

    /** Time functions, even where PostgreSQL marks them stable (age(x) with one argument is handled apart). */
    static final Pattern TIME = Pattern.compile(
            "now|transaction_timestamp|statement_timestamp|clock_timestamp|timeofday|pg_postmaster_start_time|pg_conf_load_time");

    /** Session, transaction and catalog functions: their value depends on who runs them, when and where. */
    static final Pattern SESSION = Pattern.compile(
            "current_setting|current_database|current_schemas?|current_user|current_role|session_user|system_user"
                    + "|current_catalog|getpgusername|version|txid_.*|pg_current_xact_id.*|pg_current_snapshot"
                    + "|pg_snapshot_.*|pg_xact_.*|pg_visible_in_snapshot|mxid_age|inet_client_.*|inet_server_.*"
                    + "|pg_backend_pid|pg_trigger_depth|pg_my_temp_schema|row_security_active|has_.*_privilege"
                    + "|pg_has_role|.*_is_visible|to_reg.*|regclass|get_current_ts_config|obj_description"
                    + "|col_description|shobj_description");

    /** Non-immutable pg_* functions that only look at their arguments. */
    private static final Set<String> PG_ROW_ONLY = Set.of("pg_typeof", "pg_collation_for", "pg_input_is_valid",
            "pg_input_error_info");

    private final Connection c;
    private final ConfigFile err;
    private final Map<String, Long> tables = new java.util.HashMap<>();
    private int views;

    /** {@code c} is in a transaction that the caller rolls back: the temporary views go with it. */
    ExpressionCheck(Connection c, ConfigFile err) {
        this.c = c;
        this.err = err;
    }

    // --- checks --------------------------------------------------------------------------------------

    /**
     * A row mapping over {@code row AS alias}. With {@code into}/{@code column}, the value must be
     * assignable to that column (PostgreSQL's assignment rules), and may not be NULL whatever the row when
     * the column is NOT NULL; with {@code requiredType}, the expression must be of that type.
     */
    void mapping(String field, String expr, MigrationSpec.Table row, String alias, MigrationSpec.Table into,
                 MigrationSpecLoader.Column column, String requiredType) throws SQLException {
        String text = lex(expr, field, field.startsWith("down"));
        View view = createView(field, "SELECT (" + text + ") AS v FROM " + quoted(row) + " AS " + alias);
        Analysis a = analyse(field, view, Kind.MAPPING, tableOid(row));
        if (requiredType != null) {
            String type = view.type();
            if (!requiredType.equals(type)) {
                throw err.at(field, "must be of type " + requiredType + ", but is " + type);
            }
        }
        if (column != null) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + quoted(into) + " ("
                    + Identifiers.quote(field, column.name()) + ") SELECT (" + text + ") FROM " + quoted(row) + " AS " + alias)) {
                ps.getParameterMetaData(); // Parse + Describe only: analysed with the assignment rules, never run
            } catch (SQLException e) {
                throw err.at(field, "PostgreSQL refuses the expression for column " + into.qualified() + "." + column.name()
                        + ": " + message(e));
            }
            if (column.notNull() && a.alwaysNull()) {
                throw err.at(field, "is NULL for every row, but " + into.qualified() + "." + column.name()
                        + " is NOT NULL: every write would fail. Map it to a value");
            }
        }
    }

    /** The throttle query: one statement, nothing outside {@link Kind#QUERY}'s rules. */
    void query(String field, String query) throws SQLException {
        String text = lex(query, field, false);
        View view = createView(field, Throttle.throttleQuery(text) + " AS v");
        analyse(field, view, Kind.QUERY, 0);
    }

    // --- lexing --------------------------------------------------------------------------------------

    /**
     * Reads the expression as PostgreSQL's lexer does ('…' with '' doubling, E'…' with backslash escapes,
     * U&'…', B'…', X'…', N'…', "…" identifiers with "" doubling, -- and nested /* *&#47; comments) and refuses
     * what could end or hide part of the statement around it, or mean something else to the JDBC driver:
     * ';' anywhere (pgjdbc splits statements on it client-side, even where the server would not), '$'
     * (dollar quotes, parameters), comments, '{' '}' (JDBC escapes), unbalanced parentheses, a backslash in a
     * '…' literal (its meaning depends on standard_conforming_strings, which the application's sessions may
     * change) and, unless {@code allowQuestionMark}, '?' (a parameter marker). Returns the text to send
     * through JDBC ('?' doubled, pgjdbc's escape for a literal question mark).
     */
    static String lex(String expr, String field, boolean allowQuestionMark, ConfigFile err) {
        if (expr == null || expr.isBlank()) {
            throw err.at(field, "is empty");
        }
        int semicolon = expr.indexOf(';');
        if (semicolon >= 0) {
            throw err.at(field, "';' is not allowed anywhere in an expression, not even in a literal (an expression"
                    + " cannot end the statement): write chr(59) for a semicolon in a text");
        }
        StringBuilder out = new StringBuilder(expr.length() + 8);
        int depth = 0;
        int n = expr.length();
        int i = 0;
        while (i < n) {
            char ch = expr.charAt(i);
            if (isIdentStart(ch)) {
                int j = i;
                while (j < n && isIdentChar(expr.charAt(j))) {
                    j++;
                }
                char next = j < n ? expr.charAt(j) : 0;
                if (j - i == 1 && next == '\'' && "eEnNbBxX".indexOf(ch) >= 0) {
                    int end = string(expr, j, ch == 'e' || ch == 'E', field, err);
                    out.append(expr, i, end);
                    i = end;
                } else if (j - i == 1 && (ch == 'u' || ch == 'U') && next == '&' && j + 1 < n
                        && (expr.charAt(j + 1) == '\'' || expr.charAt(j + 1) == '"')) {
                    // U&'…' takes backslashes as Unicode escapes but ends like a standard string
                    int end = expr.charAt(j + 1) == '\'' ? unicodeString(expr, j + 1, field, err) : identifier(expr, j + 1, field, err);
                    out.append(expr, i, end);
                    i = end;
                } else {
                    if (expr.substring(i, j).indexOf('$') >= 0) {
                        throw err.at(field, "'$' is not allowed in expressions (dollar quoting, parameters)");
                    }
                    out.append(expr, i, j);
                    i = j;
                }
                continue;
            }
            switch (ch) {
                case '\'' -> {
                    int end = string(expr, i, false, field, err);
                    out.append(expr, i, end);
                    i = end;
                    continue;
                }
                case '"' -> {
                    int end = identifier(expr, i, field, err);
                    out.append(expr, i, end);
                    i = end;
                    continue;
                }
                case '$' -> throw err.at(field, "'$' is not allowed in expressions (dollar quoting, parameters)");
                case '{', '}' -> throw err.at(field, "'" + ch + "' is not allowed outside literals (JDBC escape syntax)");
                case '?' -> {
                    if (!allowQuestionMark) {
                        throw err.at(field, "'?' is not allowed here (a JDBC parameter marker): use jsonb_exists(x, 'key'),"
                                + " jsonb_exists_any or jsonb_exists_all instead of the ?, ?| and ?& operators");
                    }
                    out.append("??");
                    i++;
                    continue;
                }
                case '(' -> depth++;
                case ')' -> {
                    if (--depth < 0) {
                        throw err.at(field, "unbalanced ')'");
                    }
                }
                case '-', '/' -> {
                    char next = i + 1 < n ? expr.charAt(i + 1) : 0;
                    if ((ch == '-' && next == '-') || (ch == '/' && next == '*')) {
                        throw err.at(field, "comments are not allowed in expressions");
                    }
                }
                default -> {
                }
            }
            out.append(ch);
            i++;
        }
        if (depth != 0) {
            throw err.at(field, "unbalanced '('");
        }
        return out.toString();
    }

    private String lex(String expr, String field, boolean allowQuestionMark) {
        return lex(expr, field, allowQuestionMark, err);
    }

    private static boolean isIdentStart(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
    }

    private static boolean isIdentChar(char ch) {
        return isIdentStart(ch) || (ch >= '0' && ch <= '9') || ch == '$';
    }

    /** End (exclusive) of the '…' or E'…' literal whose opening quote is at {@code q}. */
    private static int string(String s, int q, boolean escapes, String field, ConfigFile err) {
        int i = q + 1;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == '\\') {
                if (!escapes) {
                    throw err.at(field, "a backslash in a '...' literal means different things depending on"
                            + " standard_conforming_strings: write E'...' with \\\\ for a backslash, or chr(92)");
                }
                i += 2;
                continue;
            }
            if (ch == '\'') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw err.at(field, "unterminated string literal");
    }

    /** The end of a U&'…' literal: only a doubled quote escapes one (no backslash escapes here). */
    private static int unicodeString(String s, int q, String field, ConfigFile err) {
        return closingQuote(s, q, '\'', "unterminated string literal", field, err);
    }

    private static int identifier(String s, int q, String field, ConfigFile err) {
        return closingQuote(s, q, '"', "unterminated quoted identifier", field, err);
    }

    /** The index after the {@code quote} that closes the one at {@code q}, a doubled quote standing for itself. */
    private static int closingQuote(String s, int q, char quote, String unterminated, String field,
                                    ConfigFile err) {
        int i = q + 1;
        while (i < s.length()) {
            if (s.charAt(i) == quote) {
                if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw err.at(field, unterminated);
    }

    // --- what PostgreSQL recorded --------------------------------------------------------------------

    record Analysis(boolean alwaysNull) {
    }

    private record Fn(long oid, String schema, String name, String args, char volatility, boolean securityDefiner,
                      boolean returnsSet, char kind, boolean strict, int nargs, String argDefaults) {
        String signature() {
            return ("pg_catalog".equals(schema) ? "" : schema + ".") + name + "(" + args + ")";
        }
    }

    /** A check view as PostgreSQL stored it: its query tree, its column's type, what its rule depends on. */
    private record View(long oid, String tree, String type, List<String> dependencies) {
    }

    /**
     * A temporary check view: oid, stored query tree (pg_node_tree as text), type of its column, and what its
     * rewrite rule depends on ('catalog:oid').
     */
    private static final String CHECK_VIEW = """
            SELECT c.oid::bigint, r.ev_action::text, format_type(a.atttypid, a.atttypmod),
                   array(SELECT d.refclassid::regclass::text || ':' || d.refobjid::bigint FROM pg_depend d
                          WHERE d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid)
              FROM pg_class c JOIN pg_rewrite r ON r.ev_class = c.oid
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
             WHERE c.relname = ? AND c.relnamespace = pg_my_temp_schema()""";

    private View createView(String field, String select) throws SQLException {
        String name = "chatbatch_spec_check_" + ++views;
        try (PreparedStatement ps = c.prepareStatement("CREATE TEMPORARY VIEW " + name + " AS " + select)) {
            ps.execute(); // parse analysis only: a view stores the expression, nothing evaluates it
        } catch (SQLException e) {
            throw err.at(field, "PostgreSQL refuses the expression: " + message(e));
        }
        try (PreparedStatement ps = c.prepareStatement(CHECK_VIEW)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the temporary view " + name + " just created is not in the catalog");
                }
                return new View(rs.getLong(1), rs.getString(2), rs.getString(3), List.of((String[]) rs.getArray(4).getArray()));
            }
        }
    }

    private Analysis analyse(String field, View view, Kind kind, long rowTable) throws SQLException {
        NodeTree.Node query = NodeTree.firstNode(NodeTree.parse(view.tree()));
        Set<Long> procs = new LinkedHashSet<>();
        Set<Long> operators = new LinkedHashSet<>();
        Set<Long> relations = new LinkedHashSet<>();
        NodeTree.collect(query, procs, operators, relations);
        for (String dep : view.dependencies()) {
            int colon = dep.lastIndexOf(':');
            long oid = Long.parseLong(dep.substring(colon + 1));
            switch (dep.substring(0, colon)) {
                case "pg_proc" -> procs.add(oid);
                case "pg_operator" -> operators.add(oid);
                case "pg_class" -> relations.add(oid);
                default -> {
                }
            }
        }
        relations.remove(view.oid());

        if (kind == Kind.MAPPING) {
            refuseNodes(field, query);
        } else {
            if (query.flag("hasModifyingCTE") || query.anyNode("QUERY", q -> q.flag("hasModifyingCTE"))) {
                throw err.at(field, "must not modify data (WITH … INSERT/UPDATE/DELETE)");
            }
            if (query.anyNode("QUERY", q -> q.flag("hasForUpdate"))) {
                throw err.at(field, "must not lock rows (FOR UPDATE/SHARE)");
            }
            if (query.anyNode("NEXTVALUEEXPR", q -> true)) {
                throw err.at(field, "must not use a sequence");
            }
        }

        Map<Long, Fn> fns = functions(procs, operators);
        for (Fn f : fns.values()) {
            String why = refusal(f, kind);
            if (why != null) {
                throw err.at(field, "function " + f.signature() + " " + why
                        + (kind == Kind.MAPPING ? ": " + ROW_ONLY : ": the throttle query may only read"));
            }
        }
        if (kind == Kind.MAPPING) {
            for (long rel : relations) {
                if (rel != rowTable) {
                    throw err.at(field, "reads " + relationName(rel) + ": " + ROW_ONLY);
                }
            }
        }
        NodeTree.Node target = NodeTree.targetExpression(query);
        return new Analysis(target != null && NodeTree.alwaysNull(target, oid -> {
            Fn f = fns.get(oid);
            return f != null && f.strict();
        }));
    }

    private void refuseNodes(String field, NodeTree.Node query) {
        if (query.anyNode("SUBLINK", q -> true)) {
            throw err.at(field, "a subquery reads outside the row: " + ROW_ONLY);
        }
        if (query.anyNode("SQLVALUEFUNCTION", q -> true)) {
            throw err.at(field, "uses CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP, current_user or a similar"
                    + " keyword: " + ROW_ONLY);
        }
        if (query.flag("hasAggs") || query.flag("hasWindowFuncs") || query.anyNode("AGGREF", q -> true)
                || query.anyNode("WINDOWFUNC", q -> true) || query.anyNode("GROUPINGFUNC", q -> true)) {
            throw err.at(field, "aggregate and window functions work over several rows: a mapping sees one row");
        }
        if (query.flag("hasTargetSRFs")) {
            throw err.at(field, "a set-returning function yields several values per row: a mapping yields one");
        }
        if (query.anyNode("NEXTVALUEEXPR", q -> true)) {
            throw err.at(field, "uses a sequence: " + ROW_ONLY);
        }
    }

    /** Functions by oid, and the functions of operators by oid. */
    private static final String FUNCTIONS = """
            SELECT p.oid::bigint, n.nspname, p.proname, oidvectortypes(p.proargtypes), p.provolatile::text,
                   p.prosecdef, p.proretset, p.prokind::text, p.proisstrict, p.pronargs, p.proargdefaults::text
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.oid::bigint = ANY (?) OR p.oid IN (SELECT o.oprcode FROM pg_operator o WHERE o.oid::bigint = ANY (?))""";

    /** Function facts for every function called, directly, through an operator or through a default argument. */
    private Map<Long, Fn> functions(Set<Long> procs, Set<Long> operators) throws SQLException {
        Map<Long, Fn> fns = new LinkedHashMap<>();
        Set<Long> todo = new LinkedHashSet<>(procs);
        Set<Long> todoOps = new LinkedHashSet<>(operators);
        for (int round = 0; (!todo.isEmpty() || !todoOps.isEmpty()) && round < 10; round++) {
            Set<Long> more = new LinkedHashSet<>();
            Set<Long> moreOps = new LinkedHashSet<>();
            try (PreparedStatement ps = c.prepareStatement(FUNCTIONS)) {
                ps.setArray(1, longs(todo));
                ps.setArray(2, longs(todoOps));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Fn f = new Fn(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5).charAt(0), rs.getBoolean(6), rs.getBoolean(7), rs.getString(8).charAt(0),
                                rs.getBoolean(9), rs.getInt(10), rs.getString(11));
                        if (fns.putIfAbsent(f.oid(), f) == null && f.argDefaults() != null) {
                            // defaults are added to the call by the planner, not stored in the view: check them too
                            NodeTree.collect(NodeTree.parse(f.argDefaults()), more, moreOps, new LinkedHashSet<>());
                        }
                    }
                }
            }
            more.removeAll(fns.keySet());
            todo = more;
            todoOps = moreOps;
        }
        return fns;
    }

    /** Why {@code f} may not be used in an expression of {@code kind}, or null. */
    static String refusal(String schema, String name, char volatility, boolean securityDefiner, boolean returnsSet,
                          char prokind, int nargs, Kind kind) {
        for (Map.Entry<Pattern, String> e : OUTSIDE.entrySet()) {
            if (e.getKey().matcher(name).matches()) {
                return e.getValue();
            }
        }
        boolean catalog = "pg_catalog".equals(schema);
        if (kind == Kind.QUERY) {
            return !catalog && volatility == 'v' ? "is VOLATILE and not PostgreSQL's own (it could write)" : null;
        }
        if (TIME.matcher(name).matches() || ("age".equals(name) && nargs == 1)) {
            return "depends on the current time";
        }
        if (SESSION.matcher(name).matches()) {
            return "depends on the session, the transaction or the catalog";
        }
        if (prokind == 'a' || prokind == 'w') {
            return "is an aggregate or window function (a mapping sees one row)";
        }
        if (returnsSet) {
            return "returns a set (a mapping yields one value per row)";
        }
        if (volatility == 'v') {
            return "is VOLATILE (its value can change from call to call)";
        }
        if (catalog) {
            if (name.startsWith("pg_") && volatility != 'i' && !PG_ROW_ONLY.contains(name)) {
                return "reads the catalog, statistics or the session";
            }
            return null;
        }
        if (volatility != 'i') {
            return "is not IMMUTABLE (functions outside pg_catalog must be IMMUTABLE)";
        }
        if (securityDefiner) {
            return "is SECURITY DEFINER (it would run with its owner's rights inside the dual-write trigger)";
        }
        return null;
    }

    private static String refusal(Fn f, Kind kind) {
        return refusal(f.schema(), f.name(), f.volatility(), f.securityDefiner(), f.returnsSet(), f.kind(), f.nargs(), kind);
    }

    // --- helpers -------------------------------------------------------------------------------------

    private long tableOid(MigrationSpec.Table t) throws SQLException {
        Long known = tables.get(t.qualified());
        if (known != null) {
            return known;
        }
        try (PreparedStatement ps = c.prepareStatement(SpecCatalog.TABLE)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                tables.put(t.qualified(), rs.getLong(1));
                return rs.getLong(1);
            }
        }
    }

    /** A relation by oid as a message names it: its kind and qualified name. */
    private static final String RELATION_NAME = """
            SELECT format('%s %I.%I', CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view'
                          WHEN 'm' THEN 'materialized view' ELSE 'relation' END, n.nspname, c.relname)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid::bigint = ?""";

    private String relationName(long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELATION_NAME)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "relation " + oid;
            }
        }
    }

    private Array longs(Set<Long> values) throws SQLException {
        return c.createArrayOf("bigint", values.toArray(new Long[0]));
    }

    private static String quoted(MigrationSpec.Table t) {
        return Identifiers.quote("schema", t.schema()) + "." + Identifiers.quote("table", t.name());
    }

    static String message(SQLException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage().replace('\n', ' ');
    }

    private static Map<Pattern, String> patterns(String... pairs) {
        Map<Pattern, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(Pattern.compile(pairs[i]), pairs[i + 1]);
        }
        return m;
    }
}
