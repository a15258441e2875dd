package dev.chatbatch.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import java.util.Optional;

/**
 * The console's login ({@code POST /login}, the form of the console's login page): a token, or a user's
 * name and password, checked exactly as the API checks them ({@link ApiAccess}, the configured bcrypt
 * users), exchanged for a session whose cookie is HTTP-only and SameSite=Strict. The secret is never
 * kept in the session or shown again. {@code POST /logout} ends the session.
 */
@Controller
@ConditionalOnWebApplication
class SessionLogin {

    private final ApiAccess access;
    private final AuthenticationProvider users;
    private final SecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

    SessionLogin(ApiAccess access, UserDetailsService apiUsers, PasswordEncoder encoder) {
        this.access = access;
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(apiUsers);
        provider.setPasswordEncoder(encoder);
        this.users = provider;
    }

    @PostMapping("/login")
    String login(@RequestParam(required = false) String token, @RequestParam(required = false) String username,
                 @RequestParam(required = false) String password, HttpServletRequest request,
                 HttpServletResponse response) {
        Optional<Authentication> who = authenticate(token, username, password);
        if (who.isEmpty()) {
            return "redirect:/login?error";
        }
        request.getSession(true);
        request.changeSessionId(); // no session fixation: the id a visitor had before logging in is gone
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(who.get());
        SecurityContextHolder.setContext(context);
        sessions.saveContext(context, request, response);
        return "redirect:/";
    }

    @PostMapping("/logout")
    String logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        SecurityContextHolder.clearContext();
        return "redirect:/login?logout";
    }

    private Optional<Authentication> authenticate(String token, String username, String password) {
        if (token != null && !token.isBlank()) {
            return access.authenticateToken(token.trim());
        }
        if (username == null || username.isBlank() || password == null) {
            return Optional.empty();
        }
        try {
            Authentication user = users.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(username.trim(), password));
            // the password is not kept in the session
            return Optional.of(UsernamePasswordAuthenticationToken.authenticated(user.getName(), null, user.getAuthorities()));
        } catch (AuthenticationException e) {
            return Optional.empty();
        }
    }
}
