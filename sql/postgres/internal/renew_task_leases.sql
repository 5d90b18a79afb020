-- internal.renew_task_leases
-- A worker's task heartbeat for every attempt it holds, in one call. Leases is a JSON array of
-- {"taskId", "leaseToken"} (at most 1000). Each lease the worker still holds is extended by
-- LeaseMs from now and its task marked running (3); the first renewal of a claim is the worker's
-- acknowledgement that it received the task — a claim never acknowledged costs no attempt
-- (internal.dealwith_expired_tasks). Each lease stands alone: one whose token is no longer the
-- task's, or that another worker holds, changes nothing and comes back with error_number 51302.
-- Rows are locked in key order, so two calls never deadlock on each other.
-- Caller: the master (scaleout_master), for the worker whose certificate it checked. One row per
-- lease, in the order given: task_id, is_cancelled, expires_at, error_number.
-- Errors: 51000, 51001.
CREATE OR REPLACE FUNCTION internal.renew_task_leases(
    WorkerAgentId uuid DEFAULT NULL,
    Leases text DEFAULT NULL,
    LeaseMs integer DEFAULT 60000,
    now timestamptz DEFAULT NULL
)
RETURNS TABLE (
    task_id uuid,
    is_cancelled boolean,
    expires_at timestamptz,
    error_number integer
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
    m jsonb;
BEGIN
    -- Check input parameters
    IF WorkerAgentId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@WorkerAgentId') || ' ';
    END IF;
    IF Leases IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@Leases') || ' ';
    ELSIF NOT internal.is_valid_lease_list(Leases) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@Leases', left(Leases, 100), 'a JSON array of at most 1000 {taskId, leaseToken}') || ' ';
    END IF;
    IF LeaseMs IS NULL OR LeaseMs NOT BETWEEN 1000 AND 86400000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@LeaseMs', LeaseMs::text, 'milliseconds from 1000 to 86400000') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;
    m := Leases::jsonb;

    -- Renew, fenced by token and worker; table: tasks. "status + 0": each task is found by its key,
    -- not by a scan of the leased tasks' partial index (see internal.complete_tasks).
    RETURN QUERY
    WITH wanted AS (
        SELECT (x.v->>'taskId')::uuid AS task_id, (x.v->>'leaseToken')::uuid AS lease_token, x.n
          FROM jsonb_array_elements(m) WITH ORDINALITY AS x (v, n)
    ), held AS (
        SELECT t.task_id
          FROM internal.tasks AS t
          JOIN wanted AS w ON w.task_id = t.task_id AND w.lease_token = t.lease_token
         WHERE t.worker_agent_id = WorkerAgentId
           AND t.status + 0 IN (2, 3)
         ORDER BY t.task_id
           FOR UPDATE OF t
    ), renewed AS (
        UPDATE internal.tasks AS t
           SET status = 3,
               lease_expires_at = v_now + make_interval(secs => LeaseMs / 1000.0),
               lease_ms = LeaseMs,
               last_updated_time = v_now
          FROM held AS h
         WHERE t.task_id = h.task_id
        RETURNING t.task_id, t.lease_token, t.is_cancelled, t.lease_expires_at
    )
    SELECT w.task_id, r.is_cancelled, r.lease_expires_at, CASE WHEN r.task_id IS NULL THEN 51302 END
      FROM wanted AS w
      LEFT JOIN renewed AS r ON r.task_id = w.task_id AND r.lease_token = w.lease_token
     ORDER BY w.n;
END;
$$;
