package dev.chatbatch;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A bean the read-only commands' context also holds ({@code migration list|status}, {@code jobs},
 * {@code executions}: {@code AppSession.Mode.READ_ONLY}). That context is started for one command and has
 * no auto-configuration: one JDBC connection, its transaction manager and {@code TransactionTemplate}, the
 * Spring Batch job repository (for reading executions), the {@code JobCatalog} and the beans marked with
 * this. A marked bean needs nothing else: no Quartz, no Spring Batch job machinery, no Flyway, no web.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ReadOnlyBean {
}
