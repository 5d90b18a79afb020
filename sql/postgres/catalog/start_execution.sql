-- catalog.start_execution
-- Queues a created execution for the workers (status 5, pending): one task that may be attempted
-- retry_count + 1 times (internal.start_execution_now). Refused when the project was deployed
-- again since the execution was created, or when required parameters have no value.
-- With the execution's SYNCHRONIZED parameter set (object type 50, as SQL Agent job steps set it),
-- returns only once the execution has ended, as SSIS does: it commits the start, then looks every
-- half second, each look its own transaction. (So it has no SET clause and is not SECURITY
-- DEFINER — PostgreSQL allows no COMMIT in either — and names every object with its schema.) Called
-- inside a transaction block of the caller's, a synchronized start cannot commit and is refused by
-- PostgreSQL; the embedded catalog refuses SYNCHRONIZED (51001).
-- Caller: ssis_admin, ssis_cluster_executor.
-- Errors: those of internal.start_execution_now: 51000, 51001 (retry_count < 0, SYNCHRONIZED on the
-- embedded catalog), 51106, 51207 (not created), 51208 (outdated), 51209 (required parameters),
-- 51213 (Scale Out disabled).
CREATE OR REPLACE PROCEDURE catalog.start_execution(
    execution_id bigint DEFAULT NULL,
    retry_count integer DEFAULT 0
)
LANGUAGE plpgsql
AS $$
#variable_conflict use_variable
DECLARE
    v_synchronized boolean;
    v_status integer;
BEGIN
    CALL internal.start_execution_now(execution_id, retry_count, v_synchronized);
    IF NOT COALESCE(v_synchronized, false) THEN
        RETURN;
    END IF;
    COMMIT;
    -- SYNCHRONIZED: until the execution ends (canceled, failed, ended unexpectedly, succeeded, completed).
    LOOP
        v_status := internal.execution_status(execution_id);
        EXIT WHEN v_status IS NULL OR v_status IN (3, 4, 6, 7, 9);
        PERFORM pg_catalog.pg_sleep(0.5);
        COMMIT;
    END LOOP;
END;
$$;
