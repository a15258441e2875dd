package dev.chatbatch.migration;

/**
 * Catalog reads of spec validation ({@link MigrationSpecLoader}, {@link ExpressionCheck}) and of the mapping
 * sample: which tables exist, their columns and unique indexes, and the settings of the loader's transaction.
 * Parameters are schema and table names as text.
 */
final class SpecCatalog {

    private SpecCatalog() {
    }

    /** Whether the loader may create the temporary check views, and who it is where (for the refusal). */
    static final String TEMPORARY_PRIVILEGE = """
            SELECT has_database_privilege(current_database(), 'TEMPORARY'), current_database()::text, current_user::text""";

    /** A table (plain or partitioned): its oid, or no row. */
    static final String TABLE = """
            SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""";

    /** Columns in table order: name, type, NOT NULL, has a default (or identity). */
    static final String COLUMNS = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef OR a.attidentity <> ''
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum""";

    /** The columns (text[]) of each unique index that is neither partial nor over expressions. */
    static final String UNIQUE_INDEXES = """
            SELECT array(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a
                           ON a.attrelid = i.indrelid AND a.attnum = k)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL""";
}
