-- internal.complete_task
-- A worker reports how the attempt it holds ended: Outcome 'succeeded', 'failed' (ErrorMessage
-- says why), 'canceled', or 'abandoned' (the worker restarted while the package ran: the run was
-- ended with the worker, and it is retried at once, as an expired lease is). A failure goes back
-- to the queue while attempts remain (see internal.end_task_attempt). Refused (51302) when the token is no longer the task's, so a late
-- report from an attempt that was handed to another worker changes nothing: no execution ends twice.
-- With WorkerAgentId (the master passes the worker whose certificate it checked), only that worker's
-- leases count: another worker's lease is refused as a stale token is (51302).
-- Caller: the master (scaleout_master). Outputs: ExecutionStatus (the execution's status now),
-- WillRetry.
-- Errors: 51000, 51001 (Outcome), 51302.
CREATE OR REPLACE PROCEDURE internal.complete_task(
    TaskId uuid DEFAULT NULL,
    LeaseToken uuid DEFAULT NULL,
    Outcome varchar(16) DEFAULT NULL,
    ErrorMessage text DEFAULT NULL,
    WorkerAgentId uuid DEFAULT NULL,
    now timestamptz DEFAULT NULL,
    INOUT ExecutionStatus integer DEFAULT NULL,
    INOUT WillRetry boolean DEFAULT NULL
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
    IF Outcome IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@Outcome') || ' ';
    ELSIF Outcome NOT IN ('succeeded', 'failed', 'canceled', 'abandoned') THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@Outcome', Outcome, 'succeeded, failed, canceled or abandoned') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Fenced by the token; table order: tasks, operations, operation_messages
    PERFORM 1
       FROM internal.tasks AS t
      WHERE t.task_id = TaskId
        AND t.lease_token = LeaseToken
        AND t.status + 0 IN (2, 3)  -- status + 0: found by its key, not by a scan of the leased tasks' partial index (see complete_tasks).
        AND (WorkerAgentId IS NULL OR t.worker_agent_id = WorkerAgentId)
        FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM internal.raise_error(51302, TaskId::text, LeaseToken::text);
    END IF;

    CALL internal.end_task_attempt(TaskId, Outcome, left(ErrorMessage, 4000), v_now, ExecutionStatus, WillRetry);
END;
$$;
