-- internal.claim_tasks
-- Gives one worker up to MaxTasks ready tasks in one call, highest priority first, then in the
-- order they were first queued (a retry keeps its place):
-- tasks any worker may run or that list this worker, whose required tags the worker has, and
-- (for a while after a failure) not the worker the last attempt failed on. Never more than the
-- worker's free slots (MaxTaskCount less the tasks it holds). Each claimed attempt gets a lease
-- (LeaseMs, remembered as the task's lease length) and a fresh token that every later report must
-- carry; the worker acknowledges the claim with its first renewal (status 3): a claim that is never
-- acknowledged costs no attempt (internal.dealwith_expired_tasks); its execution becomes running
-- (2) with the worker's id and machine name and the attempt count. Each attempt is recorded in
-- internal.task_attempts with a new stream id, handed to this worker only: its log lines go to
-- that stream, and only it may append to it. Locked tasks are skipped, so
-- concurrent claims never share a task. A disabled worker, or a catalog with Scale Out disabled,
-- gets nothing.
-- Caller: the master (scaleout_master). One row per claimed task; parameters is a JSON array of
-- {object_type, name, data_type, value, sensitive}; stream_id is the attempt's log stream.
-- Errors: 51000, 51001, 51101 no such worker agent.
-- enable_bitmapscan and enable_seqscan are off for this function: every row it reads it reaches
-- through an index, and the planner must not be told otherwise by statistics that lag the table.
-- On a backlog the catalog has not analyzed yet (a bulk start, or before autovacuum's first
-- ANALYZE) it guessed a few ready rows and read every one of them through a bitmap and sorted them
-- (20,000 rows read to take 10); the queue index (ix_tasks_ready_queue) gives them in claim order,
-- so the scan stops at the tasks it takes. And a generic plan kept by a connection since the table
-- was small looked the claimed tasks up by a sequential scan of the whole table, until the next
-- ANALYZE.
CREATE OR REPLACE FUNCTION internal.claim_tasks(
    WorkerAgentId uuid DEFAULT NULL,
    MaxTasks integer DEFAULT 1,
    LeaseMs integer DEFAULT 60000,
    now timestamptz DEFAULT NULL
)
RETURNS TABLE (
    task_id uuid,
    execution_id bigint,
    lease_token uuid,
    lease_expires_at timestamptz,
    executed_count integer,
    max_executed_count integer,
    folder_name varchar(128),
    project_name varchar(128),
    package_name varchar(260),
    package_kind varchar(16),
    project_lsn bigint,
    content_hash char(64),
    timeout_seconds integer,
    parameters text,
    stream_id uuid
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
    error_number integer;
    error_message text := '';
    v_now timestamptz := internal.clock(now);
    v_enabled boolean;
    v_tags text;
    v_machine text;
    v_capacity integer;
    v_ids uuid[];
    v_defaults text;
BEGIN
    -- Check input parameters
    IF WorkerAgentId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@WorkerAgentId') || ' ';
    END IF;
    IF MaxTasks IS NULL OR MaxTasks NOT BETWEEN 1 AND 1000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@MaxTasks', MaxTasks::text, 'from 1 to 1000') || ' ';
    END IF;
    IF LeaseMs IS NULL OR LeaseMs NOT BETWEEN 1000 AND 86400000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@LeaseMs', LeaseMs::text, 'milliseconds from 1000 to 86400000') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- The worker row is locked, so that one worker's claims never exceed its slots together.
    -- (operations.machine_name holds 128 characters, as SSISDB's; a worker's may have 256.)
    SELECT w.is_enabled, internal.normalize_tags(w.tags), left(COALESCE(w.machine_name, ''), 128),
           w.max_task_count - (SELECT count(*) FROM internal.tasks AS h WHERE h.worker_agent_id = w.worker_agent_id AND h.status IN (2, 3))
      INTO v_enabled, v_tags, v_machine, v_capacity
      FROM internal.worker_agents AS w
     WHERE w.worker_agent_id = WorkerAgentId
       FOR UPDATE;
    IF v_enabled IS NULL THEN
        PERFORM internal.raise_error(51101, WorkerAgentId::text);
    END IF;
    IF NOT v_enabled
       OR COALESCE((SELECT mp.property_value FROM internal.master_properties AS mp WHERE mp.property_name = 'IS_SCALEOUT_ENABLED'), '') <> 'TRUE'
       OR v_capacity <= 0 THEN
        RETURN;
    END IF;

    -- Claim; table order: tasks, operations, task_attempts. Two statements, both planned once per
    -- session (force_generic_plan): the choice of tasks, which with sequential and bitmap scans off
    -- has one plan whatever the values (the queue index, in claim order, stopping at the tasks it
    -- takes) — planning it anew each call, as dynamic SQL did, was a fifth of a one-task claim;
    -- and the rest, which reaches rows by key only. As one statement, its many joins were planned
    -- anew on every call.
    SELECT array_agg(r.task_id)
      INTO v_ids
      FROM (SELECT t.task_id
              FROM internal.tasks AS t
             WHERE t.status = 1
               AND t.ready_at <= v_now
               AND (t.use_any_worker
                    OR EXISTS (SELECT 1 FROM internal.execution_workers AS ew
                                WHERE ew.execution_id = t.execution_id AND ew.worker_agent_id = WorkerAgentId))
               AND (t.required_tags IS NULL
                    OR NOT EXISTS (SELECT 1 FROM unnest(string_to_array(t.required_tags, ',')) AS rt (v)
                                    WHERE rt.v <> '' AND position(',' || rt.v || ',' IN COALESCE(v_tags, '')) = 0))
               AND (t.avoid_worker_agent_id IS NULL OR t.avoid_worker_agent_id <> WorkerAgentId OR t.avoid_until <= v_now)
             ORDER BY t.priority DESC, t.task_seq
             LIMIT LEAST(MaxTasks, v_capacity)
               FOR UPDATE SKIP LOCKED) AS r;
    IF v_ids IS NULL THEN
        RETURN;
    END IF;

    -- Most executions store no parameter at all: every one they have is a system parameter at its
    -- default. Their list is made here once per call, its LOGGING_LEVEL put in per task (the marker
    -- "{LOGGING_LEVEL}" stands for it: no default is a JSON string that contains it), instead of
    -- read through internal.execution_parameters per task, which was a sixth of the catalog's CPU
    -- per claimed and completed task.
    SELECT json_agg(json_build_object('object_type', 50, 'name', d.name, 'data_type', d.data_type,
                                      'value', CASE WHEN d.ordinal = 1 THEN '{LOGGING_LEVEL}' ELSE d.value END,
                                      'sensitive', false) ORDER BY d.name)::text
      INTO v_defaults
      FROM internal.default_system_parameters AS d;

    RETURN QUERY
    WITH claimed AS (
        UPDATE internal.tasks AS t
           SET status = 2,
               worker_agent_id = WorkerAgentId,
               lease_token = gen_random_uuid(),
               lease_expires_at = v_now + make_interval(secs => LeaseMs / 1000.0),
               lease_ms = LeaseMs,
               executed_count = t.executed_count + 1,
               ready_at = NULL,
               last_pickup_time = v_now,
               last_updated_time = v_now
         WHERE t.task_id = ANY (v_ids)
        RETURNING t.task_id, t.execution_id, t.lease_token, t.lease_expires_at, t.executed_count, t.max_executed_count
    ), running AS (
        UPDATE internal.operations AS o
           SET status = 2,
               worker_agent_id = WorkerAgentId,
               machine_name = v_machine,
               executed_count = c.executed_count
          FROM claimed AS c
         WHERE o.operation_id = c.execution_id
        RETURNING o.operation_id
    ), attempts AS (
        INSERT INTO internal.task_attempts AS a (execution_id, stream_id, attempt, task_id, worker_agent_id, lease_token, claimed_time)
        SELECT c.execution_id, gen_random_uuid(), c.executed_count, c.task_id, WorkerAgentId, c.lease_token, v_now
          FROM claimed AS c
        RETURNING a.execution_id, a.stream_id
    )
    SELECT c.task_id, c.execution_id, c.lease_token, c.lease_expires_at, c.executed_count, c.max_executed_count,
           e.folder_name, e.project_name, e.package_name, pk.kind, e.project_lsn, v.content_hash, e.timeout_seconds,
           CASE WHEN e.default_logging_level IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM internal.execution_parameter_values AS sp WHERE sp.execution_id = c.execution_id)
                THEN replace(v_defaults, '"{LOGGING_LEVEL}"', to_json(e.default_logging_level)::text)
                ELSE COALESCE((SELECT json_agg(json_build_object('object_type', pv.object_type, 'name', pv.parameter_name,
                                                                 'data_type', pv.parameter_data_type, 'value', pv.parameter_value,
                                                                 'sensitive', pv.sensitive)
                                               ORDER BY pv.object_type, pv.parameter_name)::text
                                 FROM internal.execution_parameters AS pv
                                WHERE pv.execution_id = c.execution_id), '[]')
           END,
           at.stream_id
      FROM claimed AS c
      JOIN running AS rn ON rn.operation_id = c.execution_id
      JOIN attempts AS at ON at.execution_id = c.execution_id
      JOIN internal.executions AS e ON e.execution_id = c.execution_id
      JOIN internal.object_versions AS v ON v.object_version_lsn = e.project_lsn
      JOIN internal.packages AS pk ON pk.project_version_lsn = e.project_lsn AND pk.name = e.package_name
     ORDER BY c.executed_count, c.task_id;
END;
$$;
