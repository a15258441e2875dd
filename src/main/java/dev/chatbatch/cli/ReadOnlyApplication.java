package dev.chatbatch.cli;

import dev.chatbatch.ReadOnlyBean;
import dev.chatbatch.batch.JobCatalog;
import dev.chatbatch.batch.JobParameterInput;
import dev.chatbatch.maintenance.MaintenanceJobs;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The Spring context of the read-only commands ({@link AppSession.Mode#READ_ONLY}): no auto-configuration,
 * just one JDBC connection (opened on first use, no pool), its transactions, Spring Batch's job repository
 * for reading executions, the job names, and the beans marked {@link ReadOnlyBean}. Not a
 * {@code @Configuration}, so the full application's component scan never picks it up.
 */
@Import(ReadOnlyApplication.Beans.class)
final class ReadOnlyApplication {

    /**
     * The classes marked {@link ReadOnlyBean}, by name (several are package-private in their packages). Named
     * rather than found by a component scan: scanning the application's classes costs more than the rest of
     * this context's start. A test holds this list equal to the marked classes.
     */
    static final List<String> BEANS = List.of(
            "dev.chatbatch.batch.Executions",
            "dev.chatbatch.maintenance.Catalog",
            "dev.chatbatch.maintenance.MaintenanceSettings",
            "dev.chatbatch.migration.DeferredIndexes",
            "dev.chatbatch.migration.LogicalCapture",
            "dev.chatbatch.migration.MigrationSpecLoader",
            "dev.chatbatch.migration.MigrationStatusService",
            "dev.chatbatch.migration.MigrationStore",
            "dev.chatbatch.schedule.ScheduleViews",
            "dev.chatbatch.schema.SchemaService");

    static final class Beans implements ImportSelector {
        @Override
        public String[] selectImports(AnnotationMetadata importingClassMetadata) {
            return BEANS.toArray(String[]::new);
        }
    }

    /**
     * The jobs of the full application (its {@code Job} beans: the maintenance jobs and the migration
     * backfill), which this context does not build; a test holds the two equal.
     */
    static final List<String> JOB_NAMES = jobNames();

    private static List<String> jobNames() {
        List<String> names = new ArrayList<>(MaintenanceJobs.ALL);
        names.add(JobParameterInput.BACKFILL_JOB);
        return List.copyOf(names);
    }

    @Bean(destroyMethod = "destroy")
    SingleConnectionDataSource dataSource(Environment env) {
        SingleConnectionDataSource dataSource = new SingleConnectionDataSource();
        dataSource.setUrl(env.getRequiredProperty("spring.datasource.url"));
        dataSource.setSuppressClose(true);
        Properties properties = new Properties();
        // named like the pool's connections, so pg_stat_activity (and the backfill throttle) tell them apart
        properties.setProperty("ApplicationName", env.getProperty("spring.datasource.hikari.data-source-properties.ApplicationName",
                "chatbatch"));
        String user = env.getProperty("spring.datasource.username");
        String password = env.getProperty("spring.datasource.password");
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        dataSource.setConnectionProperties(properties);
        return dataSource;
    }

    @Bean
    DataSourceTransactionManager transactionManager(DataSource dataSource) {
        return new DataSourceTransactionManager(dataSource);
    }

    @Bean
    TransactionTemplate transactionTemplate(PlatformTransactionManager transactionManager) {
        return new TransactionTemplate(transactionManager);
    }

    @Bean
    JobRepository jobRepository(DataSource dataSource, PlatformTransactionManager transactionManager, Environment env)
            throws Exception {
        JdbcJobRepositoryFactoryBean factory = new JdbcJobRepositoryFactoryBean();
        factory.setDataSource(dataSource);
        factory.setTransactionManager(transactionManager);
        factory.setDatabaseType("POSTGRES");
        factory.setTablePrefix(env.getRequiredProperty("spring.batch.jdbc.table-prefix"));
        factory.afterPropertiesSet();
        return factory.getObject();
    }

    @Bean
    JobCatalog jobCatalog() {
        return JobCatalog.of(JOB_NAMES);
    }
}
