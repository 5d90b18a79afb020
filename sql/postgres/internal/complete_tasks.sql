-- internal.complete_tasks
-- Reports the end of many attempts in one call: Completions is a JSON array of {"taskId",
-- "leaseToken", "outcome" (succeeded, failed, canceled, abandoned), "errorMessage"}. Successes of tasks nobody
-- asked to stop are recorded with one statement per table; every other completion goes through
-- internal.end_task_attempt, as internal.complete_task does. Each completion stands alone: one whose
-- token is no longer the task's changes nothing and comes back with error_number 51302.
-- With WorkerAgentId (the master passes the worker whose certificate it checked), only that worker's
-- leases count: another worker's lease is refused as a stale token is (51302).
-- Caller: the master (scaleout_master). One row per completion, in order: task_id,
-- execution_status, will_retry, error_number.
-- Errors: 51000, 51001 (not a JSON array of completions).
-- enable_bitmapscan and enable_seqscan are off, as for internal.claim_tasks: every row is reached by
-- key, and a generic plan kept by a connection since internal.tasks was small would otherwise scan
-- the whole table for each completion until the next ANALYZE.
CREATE OR REPLACE FUNCTION internal.complete_tasks(
    Completions text DEFAULT NULL,
    WorkerAgentId uuid DEFAULT NULL,
    now timestamptz DEFAULT NULL
)
RETURNS TABLE (
    task_id uuid,
    execution_status integer,
    will_retry boolean,
    error_number integer
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_bitmapscan = off
SET enable_seqscan = off
AS $$
#variable_conflict use_variable
DECLARE
    v_now timestamptz := internal.clock(now);
    m jsonb;
    r record;
    v_status integer;
    v_retry boolean;
    res_n integer[];
    res_task uuid[];
    res_status integer[];
    res_retry boolean[];
    res_error integer[];
    v_found boolean;
    v_ids uuid[];
    v_tokens uuid[];
    v_ns integer[];
BEGIN
    IF Completions IS NULL THEN
        PERFORM internal.raise_error(51000, '@Completions');
    END IF;
    BEGIN
        m := Completions::jsonb;
    EXCEPTION WHEN others THEN
        m := NULL;
    END;
    IF m IS NULL OR jsonb_typeof(m) <> 'array'
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(m) AS x (v)
                   WHERE jsonb_typeof(x.v) <> 'object'
                      OR COALESCE(x.v->>'taskId', '') !~ '^[0-9a-fA-F-]{36}$'
                      OR COALESCE(x.v->>'leaseToken', '') !~ '^[0-9a-fA-F-]{36}$'
                      OR COALESCE(x.v->>'outcome', '') NOT IN ('succeeded', 'failed', 'canceled', 'abandoned')) THEN
        PERFORM internal.raise_error(51001, '@Completions', left(Completions, 60), 'a JSON array of {taskId, leaseToken, outcome: succeeded, failed, canceled or abandoned, errorMessage}');
    END IF;

    -- Table order: tasks, operations, task_attempts, operation_messages
    -- Fast path: plain successes, one statement per table. Tasks are found by their key:
    -- the statistics of a queue table see few leased tasks (status 2, 3), so with the plain
    -- "status IN (2, 3)" the planner preferred scanning all of them through the partial index
    -- ix_tasks_worker, and re-extracting the JSON fields for each; "status + 0" does not match
    -- the index predicate, and the successes are typed arrays first. (Measured: PostgreSQL CPU per
    -- task halved once the tables had been analyzed.) The plan is generic (plan_cache_mode above):
    -- "task_id = ANY (v_ids)" lets it seek by key whatever the array's size.
    SELECT array_agg((x.v->>'taskId')::uuid), array_agg((x.v->>'leaseToken')::uuid), array_agg(x.n::integer)
      INTO v_ids, v_tokens, v_ns
      FROM jsonb_array_elements(m) WITH ORDINALITY AS x (v, n)
     WHERE x.v->>'outcome' = 'succeeded';
    WITH done AS (
        UPDATE internal.tasks AS t
           SET status = 5, lease_token = NULL, lease_expires_at = NULL, last_updated_time = v_now
          FROM unnest(v_ids, v_tokens, v_ns) AS i (task_id, lease_token, n)
         WHERE t.task_id = ANY (v_ids) AND t.task_id = i.task_id AND t.lease_token = i.lease_token
           AND t.status + 0 IN (2, 3) AND NOT t.is_cancelled
           AND (WorkerAgentId IS NULL OR t.worker_agent_id = WorkerAgentId)
        RETURNING t.task_id, t.execution_id, i.n, i.lease_token
    ), attempted AS (
        UPDATE internal.task_attempts AS a
           SET ended_time = v_now, outcome = 'succeeded'
          FROM done AS d
         WHERE a.execution_id = d.execution_id AND a.lease_token = d.lease_token
    ), ended AS (
        UPDATE internal.operations AS o
           SET status = 7, end_time = v_now
          FROM done AS d
         WHERE o.operation_id = d.execution_id
        RETURNING o.operation_id
    )
    SELECT COALESCE(array_agg(d.n), '{}'), COALESCE(array_agg(d.task_id), '{}')
      INTO res_n, res_task
      FROM done AS d
      JOIN ended AS e ON e.operation_id = d.execution_id;
    res_status := array_fill(7, ARRAY[cardinality(res_n)]);
    res_retry := array_fill(false, ARRAY[cardinality(res_n)]);
    res_error := array_fill(NULL::integer, ARRAY[cardinality(res_n)]);

    -- Everything else, one at a time, as internal.complete_task does, in key order: two masters
    -- with overlapping batches then wait for each other instead of deadlocking. (The fast path above
    -- locks in key order too: an index scan of task_id = ANY (array) takes the keys sorted.)
    FOR r IN
        SELECT (x.v->>'taskId')::uuid AS task_id, (x.v->>'leaseToken')::uuid AS lease_token,
               x.v->>'outcome' AS outcome, left(x.v->>'errorMessage', 4000) AS error_message, x.n::integer AS n
          FROM jsonb_array_elements(m) WITH ORDINALITY AS x (v, n)
         WHERE NOT (x.n::integer = ANY (res_n))
         ORDER BY (x.v->>'taskId')::uuid, x.n
    LOOP
        PERFORM 1 FROM internal.tasks AS t
         WHERE t.task_id = r.task_id AND t.lease_token = r.lease_token AND t.status + 0 IN (2, 3)
           AND (WorkerAgentId IS NULL OR t.worker_agent_id = WorkerAgentId)
           FOR UPDATE;
        v_found := FOUND;
        res_n := res_n || r.n;
        res_task := res_task || r.task_id;
        IF v_found THEN
            CALL internal.end_task_attempt(r.task_id, r.outcome, r.error_message, v_now, v_status, v_retry);
            res_status := res_status || v_status;
            res_retry := res_retry || v_retry;
            res_error := res_error || NULL::integer;
        ELSE
            res_status := res_status || NULL::integer;
            res_retry := res_retry || NULL::boolean;
            res_error := res_error || 51302;
        END IF;
    END LOOP;

    RETURN QUERY
    SELECT u.task_id, u.execution_status, u.will_retry, u.error_number
      FROM unnest(res_n, res_task, res_status, res_retry, res_error) AS u (n, task_id, execution_status, will_retry, error_number)
     ORDER BY u.n;
END;
$$;
