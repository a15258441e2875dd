/**
 * The platform schema: Flyway migrations from {@code sql/} (on the classpath as
 * {@code db/migration}), their rollback scripts ({@code sql/rollback}, as {@code db/rollback}),
 * the {@code schema verify} checklist, and the demo/test data seeder. {@code SchemaModules} runs the
 * optional modules ({@code sql/modules/<name>/}, each in its own schema with its own Flyway history);
 * {@code Rollbacks} runs rollback scripts for both. The TypeScript type generator is in {@code schema.types}.
 *
 * <p>Depends on {@code db} and the root package.
 */
package dev.chatbatch.schema;
