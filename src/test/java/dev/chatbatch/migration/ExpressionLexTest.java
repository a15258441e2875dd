package dev.chatbatch.migration;

import dev.chatbatch.OperatorException;
import dev.chatbatch.config.ConfigFile;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The expression lexer reads literals as PostgreSQL does; the node-tree reader honours PostgreSQL's escapes. */
class ExpressionLexTest {

    private static final ConfigFile ERR = new ConfigFile("f.yml");

    private static String lex(String expr, boolean allowQuestionMark) {
        return ExpressionCheck.lex(expr, "up.x", allowQuestionMark, ERR);
    }

    private static String refused(String expr) {
        return assertThatThrownBy(() -> lex(expr, false)).isInstanceOf(OperatorException.class)
                .extracting(Throwable::getMessage).asString().actual();
    }

    @Test
    void theIssuePayloadIsRefusedForItsSemicolons() {
        assertThat(refused("E'\\'' || 'a'); DELETE FROM public.feedback; SELECT (E'\\'' || 'user'"))
                .contains("f.yml: up.x:", "';'", "chr(59)");
        // without the semicolons, the E'\'' literal ends where PostgreSQL ends it and the ')' is unbalanced
        assertThat(refused("E'\\'' || 'a') || (E'\\'' || 'user'")).contains("unbalanced ')'");
    }

    @Test
    void literalsAndIdentifiersHideWhatTheyContain() {
        assertThat(lex("E'it\\'s -- (' || 'a''b /* )' || U&'\\0041$' || \"we\"\"ird -- (\" || B'01' || X'1f' || N'x?'", false))
                .contains("U&'\\0041$'");
        // an identifier ending in e is not an E'' prefix: its literal is a standard one
        assertThat(refused("somee'a\\' || 1")).contains("standard_conforming_strings");
        assertThat(refused("E'a\\'")).contains("unterminated string literal");
        assertThat(refused("\"a")).contains("unterminated quoted identifier");
    }

    @Test
    void whatCouldEndOrHideAStatementIsRefusedOutsideLiterals() {
        assertThat(refused("1 -- x")).contains("comments");
        assertThat(refused("1 /* /* x */ */")).contains("comments");
        assertThat(refused("1 +/* x */ 2")).contains("comments");
        assertThat(refused("$$x$$")).contains("'$'");
        assertThat(refused("a$b")).contains("'$'");
        assertThat(refused("$1")).contains("'$'");
        assertThat(refused("{fn now()}")).contains("JDBC escape");
        assertThat(refused("s.m ? 'k'")).contains("jsonb_exists");
        assertThat(refused("(1")).contains("unbalanced '('");
        assertThat(refused("1) FROM x AS s WHERE (true")).contains("unbalanced ')'");
        assertThat(refused("  ")).contains("is empty");
        // in down mappings '?' is allowed and doubled, pgjdbc's escape for a literal question mark
        assertThat(lex("t.m ? 'k?'", true)).isEqualTo("t.m ?? 'k?'");
    }

    @Test
    void nodeTreeTokensHonourEscapes() {
        // a name holding syntax characters is escaped by PostgreSQL and must not read as structure
        String tree = "({QUERY :hasSubLinks false :targetList ({TARGETENTRY :expr {FUNCEXPR :funcid 42 :funcformat 1"
                + " :args ({CONST :consttype 25 :constisnull true :constvalue <>}) :location 7} :resname a\\ \\{SUBLINK\\ :x})"
                + " :rtable ({RANGETBLENTRY :relid 16384})})";
        NodeTree.Node q = NodeTree.firstNode(NodeTree.parse(tree));
        assertThat(q.anyNode("SUBLINK", n -> true)).isFalse();
        Set<Long> procs = new LinkedHashSet<>();
        Set<Long> ops = new LinkedHashSet<>();
        Set<Long> rels = new LinkedHashSet<>();
        NodeTree.collect(q, procs, ops, rels);
        assertThat(procs).containsExactly(42L);
        assertThat(rels).containsExactly(16384L);
        NodeTree.Node target = NodeTree.targetExpression(q);
        assertThat(NodeTree.alwaysNull(target, oid -> oid == 42)).isTrue();
        assertThat(NodeTree.alwaysNull(target, oid -> false)).as("a non-strict cast may turn NULL into a value").isFalse();
    }
}
