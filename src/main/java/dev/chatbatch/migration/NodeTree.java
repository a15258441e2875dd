package dev.chatbatch.migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

/**
 * Reads PostgreSQL's text form of a node tree ({@code pg_node_tree}, e.g. {@code pg_rewrite.ev_action}):
 * {@code {NODE :field value …}}, lists in parentheses, {@code <>} for NULL, tokens separated by white
 * space with a backslash escaping the next character (PostgreSQL's outToken/pg_strtok). Used by
 * {@link ExpressionCheck} to see which functions, operators and relations an expression uses, and
 * whether it is NULL whatever the row. Pinned catalog functions never appear in pg_depend, so the tree
 * is where PostgreSQL's own functions are found.
 */
final class NodeTree {

    /** {@code {TYPE :field items…}}; an item is a token (String, null for {@code <>}), a Node or a List. */
    record Node(String type, Map<String, List<Object>> fields) {

        Object first(String field) {
            List<Object> v = fields.get(field);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        boolean flag(String field) {
            return "true".equals(first(field));
        }

        /** True when this node or any node under it has {@code type} and matches. */
        boolean anyNode(String nodeType, Predicate<Node> test) {
            return any(this, nodeType, test);
        }
    }

    private NodeTree() {
    }

    static Object parse(String text) {
        Parser p = new Parser(tokens(text));
        return p.item();
    }

    /** The first node of a parsed tree (ev_action is a list holding one Query). */
    static Node firstNode(Object tree) {
        if (tree instanceof Node n) {
            return n;
        }
        if (tree instanceof List<?> l) {
            for (Object o : l) {
                Node n = firstNode(o);
                if (n != null) {
                    return n;
                }
            }
        }
        throw new IllegalStateException("no node in the query tree");
    }

    /** The expression of the query's first target entry. */
    static Node targetExpression(Node query) {
        if (query.first("targetList") instanceof List<?> targets) {
            for (Object t : targets) {
                if (t instanceof Node te && "TARGETENTRY".equals(te.type()) && te.first("expr") instanceof Node e) {
                    return e;
                }
            }
        }
        return null;
    }

    /** Collects called functions, operators and relations (range table entries) anywhere in the tree. */
    static void collect(Object tree, Set<Long> procs, Set<Long> operators, Set<Long> relations) {
        if (tree instanceof List<?> l) {
            for (Object o : l) {
                collect(o, procs, operators, relations);
            }
        } else if (tree instanceof Node n) {
            for (Map.Entry<String, List<Object>> f : n.fields().entrySet()) {
                String k = f.getKey();
                Object v = f.getValue().isEmpty() ? null : f.getValue().get(0);
                switch (k) {
                    case "funcid", "opfuncid", "aggfnoid", "winfnoid", "hashfuncid", "negfuncid" -> addOid(v, procs);
                    case "opno" -> addOid(v, operators);
                    case "opnos" -> {
                        if (v instanceof List<?> ops) {
                            ops.forEach(o -> addOid(o, operators));
                        }
                    }
                    case "relid" -> addOid(v, relations);
                    default -> {
                    }
                }
                collect(f.getValue(), procs, operators, relations);
            }
        }
    }

    private static void addOid(Object token, Set<Long> into) {
        if (token instanceof String s && !s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 12) {
            long oid = Long.parseLong(s);
            if (oid != 0) {
                into.add(oid);
            }
        }
    }

    /**
     * True when the expression is NULL whatever the row: a NULL constant, possibly under casts, CASE
     * branches or COALESCE arguments that are all such. {@code strict} tells whether a cast function
     * returns NULL for NULL.
     */
    static boolean alwaysNull(Object expr, LongPredicate strict) {
        if (!(expr instanceof Node n)) {
            return false;
        }
        return switch (n.type()) {
            case "CONST" -> n.flag("constisnull");
            case "RELABELTYPE", "COERCEVIAIO", "COERCETODOMAIN", "ARRAYCOERCEEXPR" -> alwaysNull(n.first("arg"), strict);
            case "FUNCEXPR" -> {
                // funcformat 1 and 2 are explicit and implicit casts
                Object format = n.first("funcformat");
                Object args = n.first("args");
                Object id = n.first("funcid");
                yield ("1".equals(format) || "2".equals(format)) && args instanceof List<?> l && !l.isEmpty()
                        && id instanceof String s && s.chars().allMatch(Character::isDigit)
                        && strict.test(Long.parseLong(s)) && alwaysNull(l.get(0), strict);
            }
            case "CASEEXPR" -> {
                if (!alwaysNull(n.first("defresult"), strict) || !(n.first("args") instanceof List<?> whens)) {
                    yield false;
                }
                for (Object w : whens) {
                    if (!(w instanceof Node cw) || !alwaysNull(cw.first("result"), strict)) {
                        yield false;
                    }
                }
                yield true;
            }
            case "COALESCEEXPR" -> {
                if (!(n.first("args") instanceof List<?> args)) {
                    yield false;
                }
                for (Object a : args) {
                    if (!alwaysNull(a, strict)) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> false;
        };
    }

    private static boolean any(Object tree, String type, Predicate<Node> test) {
        if (tree instanceof List<?> l) {
            for (Object o : l) {
                if (any(o, type, test)) {
                    return true;
                }
            }
        } else if (tree instanceof Node n) {
            if (n.type().equals(type) && test.test(n)) {
                return true;
            }
            for (List<Object> v : n.fields().values()) {
                if (any(v, type, test)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A token: its text with escapes removed, and whether it was written escaped (then it is never syntax). */
    private record Token(String text, boolean escaped) {
        boolean is(String s) {
            return !escaped && text.equals(s);
        }
    }

    private static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char ch = s.charAt(i);
            if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
                i++;
            } else if (ch == '(' || ch == ')' || ch == '{' || ch == '}') {
                out.add(new Token(String.valueOf(ch), false));
                i++;
            } else {
                StringBuilder sb = new StringBuilder();
                boolean escaped = false;
                while (i < n) {
                    ch = s.charAt(i);
                    if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '(' || ch == ')' || ch == '{' || ch == '}') {
                        break;
                    }
                    if (ch == '\\' && i + 1 < n) {
                        escaped = true;
                        sb.append(s.charAt(i + 1));
                        i += 2;
                    } else {
                        sb.append(ch);
                        i++;
                    }
                }
                out.add(new Token(sb.toString(), escaped));
            }
        }
        return out;
    }

    private static final class Parser {
        private final List<Token> tokens;
        private int pos;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        Object item() {
            Token t = tokens.get(pos++);
            if (t.is("{")) {
                String type = tokens.get(pos++).text();
                Map<String, List<Object>> fields = new LinkedHashMap<>();
                while (pos < tokens.size() && !tokens.get(pos).is("}")) {
                    Token key = tokens.get(pos++);
                    List<Object> values = new ArrayList<>();
                    while (pos < tokens.size() && !tokens.get(pos).is("}") && !isField(tokens.get(pos))) {
                        values.add(item());
                    }
                    fields.put(key.text().startsWith(":") ? key.text().substring(1) : key.text(), values);
                }
                pos++;
                return new Node(type, fields);
            }
            if (t.is("(")) {
                List<Object> list = new ArrayList<>();
                while (pos < tokens.size() && !tokens.get(pos).is(")")) {
                    list.add(item());
                }
                pos++;
                return list;
            }
            return t.is("<>") ? null : t.text();
        }

        private static boolean isField(Token t) {
            return !t.escaped() && t.text().length() > 1 && t.text().charAt(0) == ':';
        }
    }
}
