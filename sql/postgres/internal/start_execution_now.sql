-- internal.start_execution_now
-- The work of catalog.start_execution: queues a created execution for the workers (status 5,
-- pending), one task that may be attempted retry_count + 1 times. Refused when the project was
-- deployed again since the execution was created, or when required parameters have no value.
-- Referenced parameters take the values their environment's variables have now.
-- Synchronized: whether the execution's SYNCHRONIZED parameter is set, for the caller to wait. The
-- embedded catalog refuses SYNCHRONIZED (51001): it has one session, which a waiting start would
-- hold, so the execution could never run; use scaleout execution wait there.
-- Caller: catalog.start_execution.
-- Errors: 51000, 51001 (retry_count < 0), 51106, 51207 (not created), 51208 (outdated),
-- 51209 (required parameters), 51213 (Scale Out disabled), and those of
-- internal.resolve_environment_values (51113, 51217, 51218, 51219).
CREATE OR REPLACE PROCEDURE internal.start_execution_now(
    execution_id bigint DEFAULT NULL,
    retry_count integer DEFAULT 0,
    INOUT Synchronized boolean DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_now timestamptz := pg_catalog.now();
    v_status integer;
    v_project_id bigint;
    v_lsn bigint;
    v_current_lsn bigint;
    v_project_name text;
    v_missing text;
    v_open boolean;
BEGIN
    -- Check input parameters
    IF execution_id IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@execution_id') || ' ';
    END IF;
    IF retry_count IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@retry_count') || ' ';
    ELSIF retry_count < 0 OR retry_count > 1000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@retry_count', retry_count::text, 'from 0 to 1000') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Table order: operations, tasks
    SELECT o.status, o.object_id, e.project_lsn, e.project_name,
           e.use_any_worker AND e.required_tags IS NULL
      INTO v_status, v_project_id, v_lsn, v_project_name, v_open
      FROM internal.operations AS o
      JOIN internal.executions AS e ON e.execution_id = o.operation_id
     WHERE o.operation_id = execution_id
       FOR UPDATE OF o;
    IF v_status IS NULL THEN
        PERFORM internal.raise_error(51106, execution_id::text);
    END IF;
    PERFORM internal.require_permission(4, execution_id, 2, 'execution ' || execution_id::text);
    PERFORM internal.require_permission(2, v_project_id, 1, format('project ''%s''', v_project_name));
    PERFORM internal.require_permission(2, v_project_id, 3, format('project ''%s''', v_project_name));
    IF v_status <> 1 THEN
        PERFORM internal.raise_error(51207, execution_id::text, v_status::text);
    END IF;
    IF COALESCE((SELECT mp.property_value FROM internal.master_properties AS mp WHERE mp.property_name = 'IS_SCALEOUT_ENABLED'), '') <> 'TRUE' THEN
        PERFORM internal.raise_error(51213);
    END IF;
    SELECT p.object_version_lsn INTO v_current_lsn FROM internal.projects AS p WHERE p.project_id = v_project_id;
    IF v_current_lsn IS DISTINCT FROM v_lsn THEN
        PERFORM internal.raise_error(51208, v_project_name, execution_id::text);
    END IF;
    Synchronized := EXISTS (SELECT 1 FROM internal.execution_parameter_values AS pv
                             WHERE pv.execution_id = execution_id AND pv.object_type = 50
                               AND pv.parameter_name = 'SYNCHRONIZED' AND lower(pv.parameter_value) IN ('1', 'true'));
    IF Synchronized AND pg_catalog.version() LIKE '%PGlite%' THEN
        PERFORM internal.raise_error(51001, 'SYNCHRONIZED', '1',
            'on the embedded catalog, which has one session that a waiting start would hold: start without it and wait with scaleout execution wait');
    END IF;
    -- The environment's values as they are now (refused, nothing changed, if it lost a variable).
    CALL internal.resolve_environment_values(execution_id);
    SELECT string_agg(pv.parameter_name, ', ' ORDER BY pv.object_type, pv.parameter_name) INTO v_missing
      FROM internal.execution_parameter_values AS pv
     WHERE pv.execution_id = execution_id AND pv.required AND NOT pv.value_set;
    IF v_missing IS NOT NULL THEN
        PERFORM internal.raise_error(51209, execution_id::text, v_missing);
    END IF;

    UPDATE internal.operations AS o
       SET status = 5,
           start_time = v_now,
           machine_name = ''
     WHERE o.operation_id = execution_id;

    INSERT INTO internal.tasks
           (task_id, execution_id, status, priority, max_executed_count, ready_at, use_any_worker, required_tags,
            created_time, last_updated_time)
    SELECT gen_random_uuid(), e.execution_id, 1, e.priority, retry_count + 1, v_now, e.use_any_worker, e.required_tags,
           v_now, v_now
      FROM internal.executions AS e
     WHERE e.execution_id = execution_id;

    -- Wake the masters' long polls (delivered at commit). "open": any worker may run the task, so
    -- once one woken claim finds it taken nobody else need look; "targeted": only some may.
    PERFORM pg_notify('scaleout_tasks', CASE WHEN v_open THEN 'open ' ELSE 'targeted ' END || execution_id::text);
END;
$$;
