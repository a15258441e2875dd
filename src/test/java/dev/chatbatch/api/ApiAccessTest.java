package dev.chatbatch.api;

import dev.chatbatch.ExitCode;
import dev.chatbatch.OperatorException;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The API's credential check without a server or database: configured hashes are validated at start
 * (naming the property), tokens are compared by their SHA-256 or bcrypt hash, and each credential carries
 * its role's authorities (an operator is also a viewer).
 */
class ApiAccessTest {

    private static final String VIEWER = "viewer-secret";
    private static final String OPERATOR = "operator-secret";

    private static String sha256Hex(String token) {
        return HexFormat.of().formatHex(ApiAccess.sha256(token));
    }

    private static ApiAccess access(List<ApiProperties.User> users, List<ApiProperties.Token> tokens) {
        return new ApiAccess(new ApiProperties(users, tokens));
    }

    private static List<String> roles(Authentication a) {
        return a.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
    }

    @Test
    void sha256TokensAuthenticateWithTheirRoleAndWrongOnesDoNot() {
        ApiAccess access = access(List.of(), List.of(
                new ApiProperties.Token("grafana", "sha256:" + sha256Hex(VIEWER), "viewer"),
                // without the prefix, upper-case hex and a role in any case are accepted too
                new ApiProperties.Token(null, sha256Hex(OPERATOR).toUpperCase(Locale.ROOT), " OPERATOR ")));

        Authentication viewer = access.authenticateToken(VIEWER).orElseThrow();
        assertThat(viewer.getName()).isEqualTo("token:grafana");
        assertThat(roles(viewer)).containsExactly("ROLE_VIEWER");

        Authentication operator = access.authenticateToken(OPERATOR).orElseThrow();
        assertThat(operator.getName()).as("an unnamed token is named by its position").isEqualTo("token:token[1]");
        assertThat(roles(operator)).containsExactlyInAnyOrder("ROLE_VIEWER", "ROLE_OPERATOR");

        assertThat(access.authenticateToken("operator-secret ")).isEmpty();
        assertThat(access.authenticateToken("")).isEmpty();
        assertThat(access.generatedToken()).as("credentials are configured").isEmpty();
    }

    @Test
    void bcryptTokensAuthenticateAndAreRememberedAfterTheFirstMatch() {
        String hash = BCrypt.hashpw(OPERATOR, BCrypt.gensalt(4));
        ApiAccess access = access(List.of(), List.of(new ApiProperties.Token("ci", "{bcrypt}" + hash, "operator")));

        assertThat(access.authenticateToken(OPERATOR)).get().extracting(Authentication::getName).isEqualTo("token:ci");
        assertThat(access.authenticateToken(OPERATOR)).as("the second check hits the remembered match").isPresent();
        assertThat(access.authenticateToken(VIEWER)).isEmpty();
    }

    @Test
    void withoutCredentialsAGeneratedOperatorTokenIsTheOnlyWayIn() {
        ApiAccess access = access(null, null);
        String token = access.generatedToken().orElseThrow();
        assertThat(token).startsWith("cb_").hasSizeGreaterThan(40);
        assertThat(roles(access.authenticateToken(token).orElseThrow())).contains("ROLE_OPERATOR");
        assertThat(access.users()).isEmpty();
        assertThat(access(null, null).generatedToken()).as("random per start").isNotEqualTo(access.generatedToken());
    }

    @Test
    void usersGetTheirRoleAndOnlyBcryptPasswordHashes() {
        String hash = BCrypt.hashpw("pw", BCrypt.gensalt(4));
        ApiAccess access = access(List.of(new ApiProperties.User("alice", "{bcrypt}" + hash, "viewer")), List.of());
        assertThat(access.users()).singleElement().satisfies(u -> {
            assertThat(u.getUsername()).isEqualTo("alice");
            assertThat(u.getPassword()).isEqualTo(hash);
            assertThat(u.getAuthorities()).extracting(GrantedAuthority::getAuthority).containsExactly("ROLE_VIEWER");
        });
        assertThat(access.generatedToken()).isEmpty();
    }

    @Test
    void badConfigurationRefusesToStartNamingTheProperty() {
        String hash = BCrypt.hashpw("pw", BCrypt.gensalt(4));
        refused(List.of(new ApiProperties.User("alice", "plain-password", "operator")), List.of(),
                "chatbatch.api.users[0].password-hash must be a bcrypt hash");
        refused(List.of(new ApiProperties.User(" ", hash, "operator")), List.of(), "chatbatch.api.users[0].name is missing");
        refused(List.of(new ApiProperties.User("bob", hash, "viewer"), new ApiProperties.User("bob", hash, "viewer")), List.of(),
                "chatbatch.api.users[1].name 'bob' is configured twice");
        refused(List.of(), List.of(new ApiProperties.Token("t", "sha256:abc", "viewer")),
                "chatbatch.api.tokens[0].token-hash must be sha256:<64 hex digits>");
        refused(List.of(), List.of(new ApiProperties.Token("t", sha256Hex(VIEWER), "admin")),
                "chatbatch.api.tokens[0].role is 'admin': use viewer or operator");
        refused(List.of(), List.of(new ApiProperties.Token("t", sha256Hex(VIEWER), null)),
                "chatbatch.api.tokens[0].role is 'null'");
    }

    private static void refused(List<ApiProperties.User> users, List<ApiProperties.Token> tokens, String message) {
        assertThatThrownBy(() -> access(users, tokens)).isInstanceOf(OperatorException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((OperatorException) e).exitCode()).isEqualTo(ExitCode.USAGE));
    }
}
