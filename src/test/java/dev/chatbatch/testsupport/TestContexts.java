package dev.chatbatch.testsupport;

import dev.chatbatch.ChatbatchApplication;
import dev.chatbatch.db.SqlScript;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The application's Spring context on a test database, without the CLI: for tests that need beans
 * (JobRunner, the scheduler) directly. No web server; Quartz starts only when asked.
 */
public final class TestContexts {

    private TestContexts() {
    }

    public static ConfigurableApplicationContext start(TestDatabase.Db db, boolean scheduler, String... properties) {
        SpringApplication app = new SpringApplication(ChatbatchApplication.class);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        app.setWebApplicationType(WebApplicationType.NONE);
        Map<String, Object> defaults = new HashMap<>();
        defaults.put("spring.quartz.auto-startup", scheduler);
        defaults.put("logging.level.root", "WARN");
        app.setDefaultProperties(defaults);
        List<String> args = new ArrayList<>(List.of(db.cliArgs()));
        for (String p : properties) {
            args.add("--" + p);
        }
        return app.run(args.toArray(String[]::new));
    }

    /** Runs seed files (classpath resources) on a database, with the seeder's named parameters. */
    public static void seed(TestDatabase.Db db, long conversations, String... files) {
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(db.dataSource());
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("rows", 0L).addValue("bad_rows", 0L).addValue("conversations", conversations);
        for (String file : files) {
            for (String sql : SqlScript.load(file).statements()) {
                jdbc.execute(sql, params, ps -> ps.execute());
            }
        }
    }
}
