package dev.chatbatch.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * Who may call what ({@code serve} only). API clients send credentials on every request, either
 * {@code Authorization: Bearer <token>} or HTTP Basic, and get no session. The console's browser logs in
 * once ({@link SessionLogin}: the same tokens and users) and then carries an HTTP-only, SameSite=Strict
 * session cookie; a request that comes with that cookie and without an {@code Authorization} header must
 * also carry the session's CSRF token (the console's script sends it as a header), so a page of another
 * site cannot act with the operator's session.
 * <ul>
 *   <li>{@code GET /actuator/health}, {@code GET /api/openapi.json}, the login page, the console's CSS and
 *       script: open (health details only for an authenticated caller);</li>
 *   <li>{@code GET /actuator/prometheus}: viewer (Prometheus sends a viewer token, see grafana/prometheus.yml);</li>
 *   <li>{@code GET|HEAD /api/**}, the console's pages, Swagger UI: viewer; every other method on
 *       {@code /api/**}: operator;</li>
 *   <li>anything else: authenticated.</li>
 * </ul>
 * 401 (with {@code WWW-Authenticate}) when credentials are missing or wrong, 403 when the role is
 * not enough or the CSRF token is missing; both with the JSON body of {@link ApiError}. A page
 * requested without a session redirects to the login page instead.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
@EnableConfigurationProperties(ApiProperties.class)
class ApiSecurity {

    @Bean
    ApiAccess apiAccess(ApiProperties properties) {
        return new ApiAccess(properties);
    }

    /** Also keeps Spring Boot from creating its default user with a generated password. */
    @Bean
    UserDetailsService apiUsers(ApiAccess access) {
        return new InMemoryUserDetailsManager(access.users());
    }

    @Bean
    PasswordEncoder apiPasswordEncoder() {
        return new BCryptPasswordEncoder();
    }

    @Bean
    SecurityFilterChain apiFilterChain(HttpSecurity http, ApiAccess access) throws Exception {
        AuthenticationEntryPoint unauthenticated = (request, response, e) -> {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"chatbatch\", Basic realm=\"chatbatch\"");
            new ApiError("authentication required: send 'Authorization: Bearer <token>' or HTTP Basic credentials"
                    + (e == null || e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                    401, request.getRequestURI(), null, null).writeTo(response);
        };
        AuthenticationEntryPoint toLogin = new LoginUrlAuthenticationEntryPoint("/login");
        AuthenticationEntryPoint entry = (request, response, e) -> {
            if (isPage(request)) {
                toLogin.commence(request, response, e);
            } else {
                unauthenticated.commence(request, response, e);
            }
        };
        AccessDeniedHandler forbidden = (request, response, e) -> {
            if (e instanceof CsrfException) {
                new ApiError("forbidden: this request came with the console's session but without its CSRF token;"
                        + " act from the console's own page (reload it), or send Authorization instead of the cookie",
                        403, request.getRequestURI(), null, null).writeTo(response);
                return;
            }
            Authentication who = SecurityContextHolder.getContext().getAuthentication();
            new ApiError("forbidden: " + (who == null ? "caller" : who.getName()) + " lacks the role this request needs"
                    + (HttpMethod.GET.matches(request.getMethod()) ? " (viewer)" : " (operator: viewers may only read)"),
                    403, request.getRequestURI(), null, null).writeTo(response);
        };
        http.csrf(csrf -> csrf.requireCsrfProtectionMatcher(ApiSecurity::needsCsrfToken))
                // NEVER: the filters never create a session (Basic and bearer requests keep none), they only use
                // the one the console's login created (and the login page's, which holds its CSRF token)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .httpBasic(basic -> basic.authenticationEntryPoint(unauthenticated)
                        .securityContextRepository(new RequestAttributeSecurityContextRepository()))
                .addFilterBefore(new BearerTokenFilter(access, unauthenticated), BasicAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint(entry).accessDeniedHandler(forbidden))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/error").permitAll()
                        .requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**", "/api/openapi.json",
                                "/login", "/console/**", "/favicon.ico")
                        .permitAll()
                        .requestMatchers(HttpMethod.POST, "/login").permitAll()
                        .requestMatchers(HttpMethod.GET, "/actuator/prometheus").hasRole("VIEWER")
                        .requestMatchers(HttpMethod.GET, "/api/**").hasRole("VIEWER")
                        .requestMatchers(HttpMethod.HEAD, "/api/**").hasRole("VIEWER")
                        .requestMatchers("/api/**").hasRole("OPERATOR")
                        .requestMatchers(HttpMethod.GET, "/", "/migrations/**", "/jobs/**", "/executions/**",
                                "/swagger-ui.html", "/swagger-ui/**").hasRole("VIEWER")
                        .anyRequest().authenticated());
        return http.build();
    }

    /**
     * A request that changes something and relies on the session cookie alone (no Authorization header):
     * only the console's own script knows the session's CSRF token.
     */
    static boolean needsCsrfToken(HttpServletRequest request) {
        String method = request.getMethod();
        boolean reads = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) || "TRACE".equals(method);
        return !reads && request.getHeader("Authorization") == null && request.getRequestedSessionId() != null;
    }

    /** Browser pages (not the API, not the actuator): without a session they redirect to the login page. */
    static boolean isPage(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.startsWith("/api/") && !path.startsWith("/actuator/");
    }

    /** Prints the generated operator token once, on stdout, when the server is ready. */
    @EventListener(ApplicationReadyEvent.class)
    void printGeneratedToken(ApplicationReadyEvent event) {
        event.getApplicationContext().getBean(ApiAccess.class).generatedToken().ifPresent(token -> {
            // one line that says both: nothing is configured, and how to get in meanwhile
            System.out.println("chatbatch API: no users or tokens configured (set chatbatch.api.users / chatbatch.api.tokens);"
                    + " operator token for this run (generated, not stored): " + token);
            System.out.flush();
        });
    }

    /** {@code Authorization: Bearer <token>}: a matching token authenticates, a wrong one is a 401 at once. */
    static final class BearerTokenFilter extends OncePerRequestFilter {

        private final ApiAccess access;
        private final AuthenticationEntryPoint unauthenticated;

        BearerTokenFilter(ApiAccess access, AuthenticationEntryPoint unauthenticated) {
            this.access = access;
            this.unauthenticated = unauthenticated;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                chain.doFilter(request, response);
                return;
            }
            Optional<Authentication> authentication = access.authenticateToken(header.substring(7).trim());
            if (authentication.isEmpty()) {
                unauthenticated.commence(request, response,
                        new org.springframework.security.authentication.BadCredentialsException("unknown bearer token"));
                return;
            }
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(authentication.get());
            SecurityContextHolder.setContext(context);
            try {
                chain.doFilter(request, response);
            } finally {
                SecurityContextHolder.clearContext();
            }
        }
    }
}
