-- Upsert of one integrity-check result (the last one per check is kept).
INSERT INTO chatbatch.integrity_check_results (check_name, violations, checked_at, detail, job_execution_id)
VALUES (:check_name, :violations, :checked_at, :detail, :job_execution_id)
ON CONFLICT (check_name) DO UPDATE
    SET violations = excluded.violations,
        checked_at = excluded.checked_at,
        detail = excluded.detail,
        job_execution_id = excluded.job_execution_id;

-- The last result of every check.
SELECT check_name, violations, checked_at, detail, job_execution_id
FROM chatbatch.integrity_check_results
ORDER BY check_name;
