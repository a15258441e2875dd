-- Undoes V26. Run `migration rollback` first for a migration whose target still misses deferred
-- indexes or foreign keys: their definitions are only kept here.
DROP TABLE chatbatch.migration_deferred_objects;
