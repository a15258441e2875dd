package dev.chatbatch.maintenance;

import dev.chatbatch.config.ConfigFileException;
import org.quartz.CronExpression;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code jobs/maintenance.yml}, loaded and checked: every maintenance job present once, a valid Quartz
 * cron expression, time zone and enabled flag, and every parameter known and well-formed. Any problem
 * is refused with exit 2, naming the file and the field ({@code jobs.<job>.<field>}). Catalog checks
 * (does a configured table exist?) are made later, against the database, by {@link MaintenanceSettings}.
 *
 * @param source where the file came from, for messages
 */
public record MaintenanceConfig(String source, Map<String, JobSchedule> jobs) {

    private static final List<String> JOB_FIELDS = List.of("cron", "time-zone", "enabled", "parameters");

    public JobSchedule job(String name) {
        return jobs.get(name);
    }

    /** Parses and checks the YAML text read from {@code source}. */
    static MaintenanceConfig parse(String source, String yaml) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new ConfigFileException(source, "(file)", "not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("jobs") instanceof Map<?, ?> jobsNode)) {
            throw new ConfigFileException(source, "jobs", "missing: the file must have a top-level 'jobs:' mapping with one entry per job");
        }
        for (Object key : top.keySet()) {
            if (!"jobs".equals(key)) {
                throw new ConfigFileException(source, String.valueOf(key), "unknown top-level field; only 'jobs' is allowed");
            }
        }
        Map<String, JobSchedule> jobs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : jobsNode.entrySet()) {
            String job = String.valueOf(entry.getKey());
            String field = "jobs." + job;
            if (!MaintenanceJobs.isMaintenanceJob(job)) {
                throw new ConfigFileException(source, field, "unknown job '" + job + "'; known jobs: " + String.join(", ", MaintenanceJobs.ALL));
            }
            if (!(entry.getValue() instanceof Map<?, ?> node)) {
                throw new ConfigFileException(source, field, "must be a mapping with cron, time-zone, enabled and parameters");
            }
            jobs.put(job, job(source, job, node));
        }
        for (String job : MaintenanceJobs.ALL) {
            if (!jobs.containsKey(job)) {
                throw new ConfigFileException(source, "jobs." + job, "missing: every maintenance job needs an entry (set enabled: false to not schedule it)");
            }
        }
        return new MaintenanceConfig(source, java.util.Collections.unmodifiableMap(jobs));
    }

    private static JobSchedule job(String source, String job, Map<?, ?> node) {
        String field = "jobs." + job;
        for (Object key : node.keySet()) {
            if (!JOB_FIELDS.contains(String.valueOf(key))) {
                throw new ConfigFileException(source, field + "." + key, "unknown field; allowed: " + String.join(", ", JOB_FIELDS));
            }
        }
        Object cronNode = node.get("cron");
        if (!(cronNode instanceof String cron) || cron.isBlank()) {
            throw new ConfigFileException(source, field + ".cron", "missing: a Quartz cron expression such as \"0 30 2 * * ?\"");
        }
        try {
            CronExpression.validateExpression(cron);
        } catch (ParseException e) {
            throw new ConfigFileException(source, field + ".cron", "invalid Quartz cron expression \"" + cron + "\": " + e.getMessage()
                    + " (fields: second minute hour day-of-month month day-of-week [year])");
        }
        ZoneId zone;
        Object zoneNode = node.get("time-zone");
        try {
            zone = zoneNode == null ? ZoneId.of("UTC") : ZoneId.of(String.valueOf(zoneNode));
        } catch (DateTimeException e) {
            throw new ConfigFileException(source, field + ".time-zone", "unknown time zone '" + zoneNode + "' (use e.g. UTC or Europe/Berlin)");
        }
        Object enabledNode = node.get("enabled");
        if (enabledNode != null && !(enabledNode instanceof Boolean)) {
            throw new ConfigFileException(source, field + ".enabled", "'" + enabledNode + "' is not true or false");
        }
        boolean enabled = enabledNode == null || (Boolean) enabledNode;
        Object paramsNode = node.get("parameters");
        if (paramsNode != null && !(paramsNode instanceof Map)) {
            throw new ConfigFileException(source, field + ".parameters", "must be a mapping of parameter names to values");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (paramsNode instanceof Map<?, ?> params) {
            for (Map.Entry<?, ?> p : params.entrySet()) {
                String key = String.valueOf(p.getKey());
                String value = p.getValue() instanceof Collection<?> list
                        ? list.stream().map(String::valueOf).collect(Collectors.joining(","))
                        : p.getValue() instanceof Double d && Double.isFinite(d)
                        ? new java.math.BigDecimal(String.valueOf(d)).stripTrailingZeros().toPlainString() // YAML 1e-3, not "1.0E-3"
                        : p.getValue() == null ? null : String.valueOf(p.getValue());
                if (ParameterRules.TRIGGER.equals(key)) {
                    throw new ConfigFileException(source, field + ".parameters." + key, "is set by the launcher, not in the file");
                }
                String problem = ParameterRules.problem(job, key, value);
                if (problem != null) {
                    throw new ConfigFileException(source, field + ".parameters." + key, problem);
                }
                parameters.put(key, value.trim());
            }
        }
        for (String key : ParameterRules.of(job).keySet()) {
            if (!key.equals(ParameterRules.TRIGGER) && !key.equals(ParameterRules.DRY_RUN) && !parameters.containsKey(key)) {
                throw new ConfigFileException(source, field + ".parameters." + key, "missing: expected "
                        + ParameterRules.kind(job, key).expected);
            }
        }
        parameters.putIfAbsent(ParameterRules.DRY_RUN, "false");
        return new JobSchedule(job, cron.trim(), zone, enabled, java.util.Collections.unmodifiableMap(parameters));
    }
}
