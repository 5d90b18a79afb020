-- internal.release_tasks
-- Gives back claimed tasks that never ran, without counting the attempt: the master releases the
-- tasks of a long poll whose worker was gone before the answer reached it, and a worker releases
-- tasks it received but did not start (it was stopping, or it restarted before the package began).
-- Leases is a JSON array of {"taskId", "leaseToken"} (at most 1000). Each task goes back to the
-- queue at its old place (internal.end_task_attempt, outcome 'released'); a task whose stop was
-- asked meanwhile is canceled. Each lease stands alone: one whose token is no longer the task's,
-- or that another worker holds, changes nothing and comes back with error_number 51302. Tasks are
-- locked in key order.
-- Caller: the master (scaleout_master). One row per lease, in the order given: task_id,
-- execution_status, error_number.
-- Errors: 51000, 51001.
CREATE OR REPLACE FUNCTION internal.release_tasks(
    WorkerAgentId uuid DEFAULT NULL,
    Leases text DEFAULT NULL,
    now timestamptz DEFAULT NULL
)
RETURNS TABLE (
    task_id uuid,
    execution_status integer,
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
    r record;
    v_status integer;
    v_retry boolean;
    res_task uuid[] := '{}';
    res_token uuid[] := '{}';
    res_status integer[] := '{}';
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
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;
    m := Leases::jsonb;

    -- Release, fenced by token and worker; table order: tasks, operations, operation_messages
    FOR r IN
        SELECT DISTINCT (x.v->>'taskId')::uuid AS task_id, (x.v->>'leaseToken')::uuid AS lease_token
          FROM jsonb_array_elements(m) AS x (v)
         ORDER BY 1, 2
    LOOP
        PERFORM 1
           FROM internal.tasks AS t
          WHERE t.task_id = r.task_id
            AND t.lease_token = r.lease_token
            AND t.worker_agent_id = WorkerAgentId
            AND t.status + 0 IN (2, 3)
            FOR UPDATE;
        IF FOUND THEN
            CALL internal.end_task_attempt(r.task_id, 'released', NULL, v_now, v_status, v_retry);
            res_task := res_task || r.task_id;
            res_token := res_token || r.lease_token;
            res_status := res_status || v_status;
        END IF;
    END LOOP;

    RETURN QUERY
    SELECT (x.v->>'taskId')::uuid,
           s.execution_status,
           CASE WHEN s.task_id IS NULL THEN 51302 END
      FROM jsonb_array_elements(m) WITH ORDINALITY AS x (v, n)
      LEFT JOIN unnest(res_task, res_token, res_status) AS s (task_id, lease_token, execution_status)
             ON s.task_id = (x.v->>'taskId')::uuid AND s.lease_token = (x.v->>'leaseToken')::uuid
     ORDER BY x.n;
END;
$$;
