-- Undoes V24: the throttle's baseline and signal columns go; throttle_reason (V10) stays.
ALTER TABLE chatbatch.migration_state
    DROP COLUMN throttle_baseline,
    DROP COLUMN throttle_signal,
    DROP COLUMN throttle_action,
    DROP COLUMN throttle_since;
