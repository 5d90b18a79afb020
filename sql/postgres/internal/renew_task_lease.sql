-- internal.renew_task_lease
-- A worker's task heartbeat: extends the lease of the attempt it holds (by LeaseMs from now) and
-- marks the task running (3). Answers IsCancelled = true once a stop was requested: the worker
-- must then stop the package and report it canceled. Refused (51302) when the token is no longer
-- the task's — the attempt expired and went to another worker, or it ended — and nothing changes.
-- With WorkerAgentId (the master passes the worker whose certificate it checked), only that worker's
-- leases count: another worker's lease is refused as a stale token is (51302).
-- Caller: the master (scaleout_master), for each task heartbeat. Outputs: IsCancelled, ExpiresAt.
-- Errors: 51000, 51001, 51302.
CREATE OR REPLACE PROCEDURE internal.renew_task_lease(
    TaskId uuid DEFAULT NULL,
    LeaseToken uuid DEFAULT NULL,
    LeaseMs integer DEFAULT 60000,
    WorkerAgentId uuid DEFAULT NULL,
    now timestamptz DEFAULT NULL,
    INOUT IsCancelled boolean DEFAULT NULL,
    INOUT ExpiresAt timestamptz DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_now timestamptz := internal.clock(now);
BEGIN
    -- Check input parameters
    IF TaskId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@TaskId') || ' ';
    END IF;
    IF LeaseToken IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@LeaseToken') || ' ';
    END IF;
    IF LeaseMs IS NULL OR LeaseMs NOT BETWEEN 1000 AND 86400000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@LeaseMs', LeaseMs::text, 'milliseconds from 1000 to 86400000') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Renew, fenced by the token; table: tasks
    UPDATE internal.tasks AS t
       SET status = 3,
           lease_expires_at = v_now + make_interval(secs => LeaseMs / 1000.0),
           lease_ms = LeaseMs,
           last_updated_time = v_now
     WHERE t.task_id = TaskId
       AND t.lease_token = LeaseToken
       AND t.status + 0 IN (2, 3)  -- status + 0: found by its key, not by a scan of the leased tasks' partial index (see complete_tasks).
       AND (WorkerAgentId IS NULL OR t.worker_agent_id = WorkerAgentId)
    RETURNING t.is_cancelled, t.lease_expires_at INTO IsCancelled, ExpiresAt;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51302, TaskId::text, LeaseToken::text);
    END IF;
END;
$$;
