/**
 * The platform schema: Flyway migrations from {@code sql/} (on the classpath as
 * {@code db/migration}), their rollback scripts ({@code sql/rollback}, as {@code db/rollback}),
 * the {@code schema verify} checklist, and the demo/test data seeder.
 *
 * <p>Depends on {@code db} and the root package.
 */
package dev.chatbatch.schema;
