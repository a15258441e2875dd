package dev.chatbatch.api;

import dev.chatbatch.OperatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.bcrypt.BCrypt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The API's credentials, validated from {@link ApiProperties} at start (a bad entry refuses to start,
 * naming the property). Bearer tokens are checked here; HTTP Basic users become {@link UserDetails}
 * for Spring Security's own password check (bcrypt).
 *
 * <p>With no users and no tokens configured, a random operator token (256 bits) is generated, kept in
 * memory only, and printed once on stdout when the server is ready: there is never a built-in password.
 */
final class ApiAccess {

    private static final Logger log = LoggerFactory.getLogger(ApiAccess.class);
    static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d{2}\\$[./A-Za-z0-9]{53}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private record TokenEntry(String name, byte[] sha256, String bcrypt, ApiRole role) {
    }

    private final List<UserDetails> users = new ArrayList<>();
    private final List<TokenEntry> tokens = new ArrayList<>();
    /** bcrypt-hashed tokens are slow to check: remember the SHA-256 of tokens that matched one. */
    private final Map<String, TokenEntry> bcryptHits = new ConcurrentHashMap<>();
    private final String generatedToken;

    ApiAccess(ApiProperties properties) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < properties.users().size(); i++) {
            ApiProperties.User user = properties.users().get(i);
            String prefix = "chatbatch.api.users[" + i + "].";
            if (user.name() == null || user.name().isBlank()) {
                throw OperatorException.usage(prefix + "name is missing");
            }
            if (!names.add(user.name())) {
                throw OperatorException.usage(prefix + "name '" + user.name() + "' is configured twice");
            }
            String hash = stripBcryptPrefix(user.passwordHash());
            if (hash == null || !BCRYPT.matcher(hash).matches()) {
                throw OperatorException.usage(prefix + "password-hash must be a bcrypt hash ($2a$/$2b$/$2y$...,"
                        + " e.g. from `htpasswd -nbBC 10 '' PASSWORD | cut -d: -f2`); plain passwords are not accepted");
            }
            ApiRole role = ApiRole.parse(user.role(), prefix + "role");
            users.add(User.withUsername(user.name()).password(hash).authorities(role.authorities()).build());
        }
        for (int i = 0; i < properties.tokens().size(); i++) {
            ApiProperties.Token token = properties.tokens().get(i);
            String prefix = "chatbatch.api.tokens[" + i + "].";
            String name = token.name() == null || token.name().isBlank() ? "token[" + i + "]" : token.name();
            ApiRole role = ApiRole.parse(token.role(), prefix + "role");
            String hash = token.tokenHash() == null ? "" : token.tokenHash().trim();
            if (hash.toLowerCase(Locale.ROOT).startsWith("sha256:")) {
                hash = hash.substring("sha256:".length());
            }
            String bcrypt = stripBcryptPrefix(hash);
            if (SHA256_HEX.matcher(hash).matches()) {
                tokens.add(new TokenEntry(name, HexFormat.of().parseHex(hash.toLowerCase(Locale.ROOT)), null, role));
            } else if (BCRYPT.matcher(bcrypt).matches()) {
                tokens.add(new TokenEntry(name, null, bcrypt, role));
            } else {
                throw OperatorException.usage(prefix + "token-hash must be sha256:<64 hex digits> (`printf %s \"$TOKEN\""
                        + " | sha256sum`) or a bcrypt hash; the token itself is never configured");
            }
        }
        if (users.isEmpty() && tokens.isEmpty()) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            generatedToken = "cb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            tokens.add(new TokenEntry("generated", sha256(generatedToken), null, ApiRole.OPERATOR));
            log.warn("no API credentials configured (chatbatch.api.users / chatbatch.api.tokens):"
                    + " generated an operator token, printed once on stdout");
        } else {
            generatedToken = null;
        }
    }

    /** The generated operator token, present only when no credentials are configured. */
    Optional<String> generatedToken() {
        return Optional.ofNullable(generatedToken);
    }

    List<UserDetails> users() {
        return List.copyOf(users);
    }

    /** The authentication of a bearer token, or empty when no configured token matches. */
    Optional<Authentication> authenticateToken(String token) {
        byte[] digest = sha256(token);
        for (TokenEntry entry : tokens) {
            if (entry.sha256() != null && MessageDigest.isEqual(entry.sha256(), digest)) {
                return Optional.of(authentication(entry));
            }
        }
        String key = HexFormat.of().formatHex(digest);
        TokenEntry hit = bcryptHits.get(key);
        if (hit == null) {
            for (TokenEntry entry : tokens) {
                if (entry.bcrypt() != null && BCrypt.checkpw(token, entry.bcrypt())) {
                    hit = entry;
                    bcryptHits.put(key, entry);
                    break;
                }
            }
        }
        return Optional.ofNullable(hit).map(ApiAccess::authentication);
    }

    private static Authentication authentication(TokenEntry entry) {
        return UsernamePasswordAuthenticationToken.authenticated("token:" + entry.name(), null, entry.role().authorities());
    }

    private static String stripBcryptPrefix(String hash) {
        if (hash == null) {
            return null;
        }
        String h = hash.trim();
        return h.startsWith("{bcrypt}") ? h.substring("{bcrypt}".length()) : h;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
