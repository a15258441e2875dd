package dev.chatbatch.maintenance;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.OperatorException;
import dev.chatbatch.batch.JobParameterDefaults;
import dev.chatbatch.config.ConfigFileException;
import dev.chatbatch.config.JobsDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The maintenance configuration of this process: {@code jobs/maintenance.yml} from
 * {@code --chatbatch.maintenance.config=FILE}, else {@code maintenance.yml} of the jobs directory
 * ({@link JobsDirectory}: {@code --chatbatch.jobs-dir}, else {@code ./jobs}), else the copy in the jar.
 * Loaded on first use (so commands that do not need it, such as {@code schema migrate}, never fail on
 * it), then kept. Supplies the jobs' parameter defaults to {@link dev.chatbatch.batch.JobRunner},
 * after checking the tables and views they name against the database (exit 2 naming file and field).
 */
@ReadOnlyBean
@Service
public class MaintenanceSettings implements JobParameterDefaults {

    private static final Logger log = LoggerFactory.getLogger(MaintenanceSettings.class);

    static final String CONFIG_PROPERTY = "chatbatch.maintenance.config";
    private static final String FILE_NAME = "maintenance.yml";
    private static final String DEFAULT_FILE = "jobs/" + FILE_NAME;

    private final Environment environment;
    private final Catalog catalog;
    private volatile MaintenanceConfig config;

    MaintenanceSettings(Environment environment, Catalog catalog) {
        this.environment = environment;
        this.catalog = catalog;
    }

    /** The checked configuration (static checks only: cron, time zone, known jobs and parameters). */
    public MaintenanceConfig config() {
        MaintenanceConfig loaded = config;
        if (loaded == null) {
            synchronized (this) {
                if (config == null) {
                    config = load();
                }
                loaded = config;
            }
        }
        return loaded;
    }

    /** Checks every job's configured tables and views against the database. */
    public void checkCatalog() {
        MaintenanceJobs.ALL.forEach(this::checkCatalog);
    }

    @Override
    public Map<String, String> defaults(String jobName) {
        if (!MaintenanceJobs.isMaintenanceJob(jobName)) {
            return Map.of();
        }
        checkCatalog(jobName);
        return catalog.current(jobName, config().job(jobName).parameters());
    }

    private void checkCatalog(String job) {
        MaintenanceConfig cfg = config();
        // the defaults as they apply now: after a completed migration they follow v2 (Catalog.current)
        catalog.current(job, cfg.job(job).parameters()).forEach((key, value) -> {
            ParameterRules.Kind kind = ParameterRules.kind(job, key);
            if (kind == ParameterRules.Kind.TABLES || kind == ParameterRules.Kind.VIEWS) {
                String problem = catalog.problem(kind, value);
                if (problem != null) {
                    throw new ConfigFileException(cfg.source(), "jobs." + job + ".parameters." + key, problem
                            + " (fix the file, or run `chatbatch schema migrate` first)");
                }
            }
        });
    }

    private MaintenanceConfig load() {
        String configured = environment.getProperty(CONFIG_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isReadable(path)) {
                throw OperatorException.usage("--" + CONFIG_PROPERTY + "=" + configured + ": no readable file there");
            }
            return MaintenanceConfig.parse(configured, read(path));
        }
        Path dir = JobsDirectory.resolve(environment.getProperty(JobsDirectory.PROPERTY));
        Path local = dir == null ? null : dir.resolve(FILE_NAME);
        if (local != null && Files.exists(local)) {
            return MaintenanceConfig.parse(local.toString(), read(local));
        }
        if (local != null) {
            // a jobs directory of migration specs alone is legitimate, but the schedules must not come from
            // somewhere the operator did not look without a word: one line on stderr (WARN shows in every command)
            log.warn("{} has no {}: the built-in {} is used for the maintenance schedules and defaults (put a copy there,"
                    + " or name one with --{}=FILE, to change them)", dir.toAbsolutePath(), FILE_NAME, FILE_NAME, CONFIG_PROPERTY);
        }
        try (InputStream in = MaintenanceSettings.class.getClassLoader().getResourceAsStream(DEFAULT_FILE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULT_FILE + " is missing from the classpath");
            }
            return MaintenanceConfig.parse(DEFAULT_FILE + " (built in)", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw OperatorException.usage(path + ": cannot read: " + e.getMessage());
        }
    }
}
