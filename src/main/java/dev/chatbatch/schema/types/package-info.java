/**
 * {@code schema types --lang typescript}: {@code database.types.ts} from the live catalog, in the
 * shape Supabase's type generator emits. {@link dev.chatbatch.schema.types.CatalogReader} reads the
 * tables, views, functions and enums of the chosen schemas into plain records,
 * {@link dev.chatbatch.schema.types.TypeScriptRenderer} maps PostgreSQL types to TypeScript and writes
 * the file, {@link dev.chatbatch.schema.types.TypeScriptTypes} is the service the CLI calls.
 *
 * <p>Depends on {@code schema} (which module schemas are applied) and {@code db}.
 */
package dev.chatbatch.schema.types;
