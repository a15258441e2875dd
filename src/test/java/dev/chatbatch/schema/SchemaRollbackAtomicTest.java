package dev.chatbatch.schema;

import dev.chatbatch.OperatorException;
import dev.chatbatch.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A schema rollback runs to the end or changes nothing: after `migration complete` moved v1 to
 * archive.chat_messages, `--to 0` used to stop at V7 (a policy on the archived table held the function
 * it dropped); and a script that fails halfway leaves every version in place.
 */
class SchemaRollbackAtomicTest {

    @Test
    void rollbackToZeroAfterCompleteRunsToTheEnd() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        // what CompleteOperation leaves: v1, with its policies, moved to schema archive
        jdbc.execute("ALTER TABLE public.chat_messages SET SCHEMA archive");
        SchemaService schema = service(ds);

        schema.rollbackTo(0, v -> { });

        assertThat(schema.currentVersion()).isZero();
        // schema chatbatch stays for Flyway's history table; archive (with the moved v1) is gone
        assertThat(jdbc.queryForObject("select count(*) from pg_namespace where nspname = 'archive'", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname = 'public' and c.relkind = 'r'", Integer.class)).isZero();
    }

    @Test
    void aRollbackFailingHalfwayChangesNothing() {
        TestDatabase.Db db = TestDatabase.migrated();
        DataSource ds = db.dataSource();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        SchemaService schema = service(ds);
        int latest = schema.currentVersion();
        // an object of the user's that U3's DROP TABLE public.users cannot get past
        jdbc.execute("create schema extra");
        jdbc.execute("create view extra.user_emails as select email from public.users");

        assertThatThrownBy(() -> schema.rollbackTo(0, v -> { }))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("the rollback of V3 failed")
                .hasMessageContaining("nothing was rolled back")
                .hasMessageContaining("still at V" + latest);

        assertThat(schema.currentVersion()).isEqualTo(latest);
        assertThat(jdbc.queryForObject("select count(*) from pg_class where relname in ('migration_state', 'feedback',"
                + " 'chat_messages_v2')", Integer.class)).as("the tables of V4, V5 and V10 are still there").isEqualTo(3);
    }

    private static SchemaService service(DataSource ds) {
        return new SchemaService(ds, new TransactionTemplate(new DataSourceTransactionManager(ds)));
    }
}
