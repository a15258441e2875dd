package dev.chatbatch.cli;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.batch.ExecutionSummary;
import dev.chatbatch.batch.Executions;
import dev.chatbatch.batch.JobCatalog;
import dev.chatbatch.batch.JobRunner;
import dev.chatbatch.db.DatabaseTarget;
import dev.chatbatch.schedule.ScheduleView;
import dev.chatbatch.schedule.ScheduleViews;
import dev.chatbatch.schedule.Schedules;
import dev.chatbatch.testsupport.TestContexts;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-only commands' context ({@link AppSession.Mode#READ_ONLY}) holds what the full application would
 * show them: the same job names, the same executions, the same schedules (next fire times of the installed
 * triggers), and none of the machinery it leaves out.
 */
class ReadOnlySessionTest {

    @Test
    void theReadOnlyContextShowsWhatTheFullApplicationHas() {
        TestDatabase.Db db = TestDatabase.migrated();
        ExecutionSummary launched;
        Map<String, Instant> triggers = new LinkedHashMap<>();
        Set<String> fullJobs;
        try (ConfigurableApplicationContext full = TestContexts.start(db, false)) {
            fullJobs = full.getBean(JobCatalog.class).names();
            full.getBean(Schedules.class).install();
            Scheduler scheduler = full.getBean(Scheduler.class);
            for (ScheduleView view : full.getBean(ScheduleViews.class).describe()) {
                Trigger trigger = scheduler.getTrigger(TriggerKey.triggerKey(view.job(), "maintenance"));
                triggers.put(view.job(), trigger == null ? null : trigger.getNextFireTime().toInstant());
            }
            JobRunner runner = full.getBean(JobRunner.class);
            launched = runner.summary(runner.run("checkpoint-retention", Map.of("dry-run", "true")).getId());
        } catch (org.quartz.SchedulerException e) {
            throw new IllegalStateException(e);
        }
        assertThat(triggers.values()).as("serve installs a trigger for the enabled jobs").anyMatch(t -> t != null);

        Map<String, String> properties = Arrays.stream(db.cliArgs())
                .map(a -> a.substring(2).split("=", 2)).collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
        try (AppSession session = AppSession.open(AppSession.Mode.READ_ONLY, DatabaseTarget.EmbeddedMode.PERSISTENT,
                List.of(db.cliArgs()), properties, Map.of())) {
            assertThat(session.bean(JobCatalog.class).names()).as("the jobs of the full application").isEqualTo(fullJobs);
            assertThat(new TreeSet<>(ReadOnlyApplication.JOB_NAMES)).isEqualTo(fullJobs);

            List<ExecutionSummary> newest = session.bean(Executions.class).newest("checkpoint-retention", null, 5).stream()
                    .map(ExecutionSummary::of).toList();
            assertThat(newest).hasSize(1);
            assertThat(newest.get(0).id()).isEqualTo(launched.id());
            assertThat(newest.get(0).parameters()).isEqualTo(launched.parameters());
            assertThat(newest.get(0).steps()).isEqualTo(launched.steps());

            for (ScheduleView view : session.bean(ScheduleViews.class).describe()) {
                assertThat(view.installed()).as(view.job()).isEqualTo(triggers.get(view.job()) != null);
                if (view.installed()) {
                    assertThat(view.nextFireTime()).as("%s: the installed trigger's next fire time", view.job())
                            .isEqualTo(triggers.get(view.job()));
                }
            }
            ConfigurableApplicationContext context = session.context();
            assertThat(context.getBeanNamesForType(JobOperator.class)).isEmpty();
            assertThat(context.getBeanNamesForType(Scheduler.class)).isEmpty();
            assertThat(context.getBeanNamesForType(JobRunner.class)).isEmpty();
        }
    }

    @Test
    void theReadOnlyBeansAreTheClassesMarkedForIt() {
        Set<String> marked = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.chatbatch")) {
            if (c.isAnnotatedWith(ReadOnlyBean.class)) {
                marked.add(c.getName());
            }
        }
        assertThat(new TreeSet<>(ReadOnlyApplication.BEANS)).isEqualTo(marked);
    }
}
