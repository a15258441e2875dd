package dev.chatbatch.cli;

import dev.chatbatch.ChatbatchApplication;
import dev.chatbatch.db.DatabaseTarget;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One command's running application: the database target and the Spring context on it. Commands
 * get beans from here; closing it closes the context and then stops an embedded server.
 */
public final class AppSession implements AutoCloseable {

    /** What the context is for. */
    public enum Mode {
        /** A command that does its work and exits: no web server, no scheduler. */
        COMMAND,
        /** {@code serve}: web server, REST API, actuator and the Quartz scheduler. */
        SERVE,
        /**
         * A command that only reads ({@code migration list|status}, {@code jobs}, {@code executions}): the
         * small context of {@link ReadOnlyApplication}, which starts in a fraction of the full one's time.
         */
        READ_ONLY
    }

    /**
     * Spring Boot's property for how logged exceptions are written. A command logs without stack traces
     * (one line per WARN/ERROR: a lost connection would otherwise print hundreds of lines of Hikari,
     * Spring Batch and Spring frames before the command's own one-line message); {@code serve} and
     * {@code --verbose} log them whole.
     */
    static final String EXCEPTIONS_PROPERTY = "logging.exception-conversion-word";
    static final String WITH_STACK_TRACES = "%wEx";
    static final String WITHOUT_STACK_TRACES = "%nopex";

    private final Mode mode;
    private final DatabaseTarget target;
    private final ConfigurableApplicationContext context;

    private AppSession(Mode mode, DatabaseTarget target, ConfigurableApplicationContext context) {
        this.mode = mode;
        this.target = target;
        this.context = context;
    }

    static AppSession open(Mode mode, DatabaseTarget.EmbeddedMode embeddedMode, List<String> springArgs,
                           Map<String, String> springProperties, Map<String, String> fileProperties) {
        // set before anything logs; Spring Boot only fills this system property when it is unset, and
        // logback.xml reads it when Spring Boot reloads it as the context starts
        System.setProperty("LOG_EXCEPTION_CONVERSION_WORD", springProperties.getOrDefault(EXCEPTIONS_PROPERTY,
                mode == Mode.SERVE ? WITH_STACK_TRACES : WITHOUT_STACK_TRACES));
        DatabaseTarget target = DatabaseTarget.resolve(springProperties, fileProperties, embeddedMode);
        try {
            SpringApplication app = new SpringApplication(mode == Mode.READ_ONLY ? ReadOnlyApplication.class
                    : ChatbatchApplication.class);
            app.setBannerMode(Banner.Mode.OFF);
            app.setLogStartupInfo(false);
            app.setRegisterShutdownHook(mode == Mode.SERVE);
            app.setWebApplicationType(mode == Mode.SERVE ? WebApplicationType.SERVLET : WebApplicationType.NONE);
            Map<String, Object> defaults = new HashMap<>();
            defaults.put("spring.quartz.auto-startup", mode == Mode.SERVE);
            defaults.put("logging.level.root", mode == Mode.SERVE ? "INFO" : "WARN");
            // The CLI prints a failed start as one error with its causes; Spring's stack trace adds nothing.
            defaults.put("logging.level.org.springframework.boot.SpringApplication", mode == Mode.SERVE ? "INFO" : "OFF");
            // A failed step is reported in the command's own summary (with its root cause), not as a logged stack trace.
            defaults.put("logging.level.org.springframework.batch.core.step.AbstractStep", mode == Mode.SERVE ? "INFO" : "OFF");
            // Hikari warns once per pooled connection when the server goes away; the command says it once
            defaults.put("logging.level.com.zaxxer.hikari", mode == Mode.SERVE ? "INFO" : "ERROR");
            app.setDefaultProperties(defaults);
            // The datasource is the resolved target's (the embedded server's when none was configured).
            List<String> args = new ArrayList<>(springArgs.stream()
                    .filter(a -> !a.startsWith("--spring.datasource.url=") && !a.startsWith("--spring.datasource.username=")
                            && !a.startsWith("--spring.datasource.password="))
                    .toList());
            args.add("--spring.datasource.url=" + target.url());
            if (target.username() != null) {
                args.add("--spring.datasource.username=" + target.username());
            }
            if (target.password() != null) {
                args.add("--spring.datasource.password=" + target.password());
            }
            return new AppSession(mode, target, app.run(args.toArray(String[]::new)));
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    Mode mode() {
        return mode;
    }

    public DatabaseTarget target() {
        return target;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        try {
            context.close();
        } finally {
            target.close();
        }
    }
}
