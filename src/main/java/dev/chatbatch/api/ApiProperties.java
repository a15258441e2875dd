package dev.chatbatch.api;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.List;

/**
 * Who may use the REST API ({@code chatbatch.api.*}). Two kinds of credentials, any number of each:
 * <pre>
 * chatbatch.api.users[0].name=alice
 * chatbatch.api.users[0].password-hash={bcrypt}$2a$10$...   # or the bare $2a$/$2b$/$2y$ hash
 * chatbatch.api.users[0].role=operator                      # viewer | operator
 * chatbatch.api.tokens[0].name=prometheus                   # a label for logs; optional
 * chatbatch.api.tokens[0].token-hash=sha256:9f86d0...       # SHA-256 hex of the token, or a bcrypt hash
 * chatbatch.api.tokens[0].role=viewer
 * </pre>
 * Users authenticate with HTTP Basic, tokens with {@code Authorization: Bearer <token>}. Only hashes are
 * configured, never secrets. With neither users nor tokens, {@link ApiAccess} generates a random operator
 * token at start and prints it once.
 */
@ConfigurationProperties("chatbatch.api")
record ApiProperties(List<User> users, List<Token> tokens) {

    ApiProperties {
        users = users == null ? List.of() : List.copyOf(users);
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
    }

    record User(String name, String passwordHash, String role) {
    }

    record Token(String name, String tokenHash, String role) {
    }
}
