-- catalog.stop_operation
-- Stops an execution. Unlike SSIS, an execution that has not reached a worker yet (created, or
-- pending in the queue) is canceled at once (status 3). A running one becomes stopping (8): its
-- worker learns of the stop at its next task heartbeat, kills the package and reports it
-- canceled; if it never answers, the expired-task sweep cancels it. Records a stop operation
-- (202), succeeded (7) when the execution is canceled.
-- Caller: ssis_admin, ssis_cluster_executor.
-- Errors: 51000; 51107 no such operation; 51210 not an execution, or it has ended; 51211 already
-- stopping.
CREATE OR REPLACE PROCEDURE catalog.stop_operation(
    operation_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_now timestamptz := pg_catalog.now();
    v_task_status integer;
    v_status integer;
    v_type integer;
    v_project_id bigint;
    v_project_name text;
    v_stop_id bigint;
BEGIN
    -- Check input parameters
    IF operation_id IS NULL THEN
        PERFORM internal.raise_error(51000, '@operation_id');
    END IF;

    -- Table order: tasks, operations, executions, operation_messages
    SELECT t.status INTO v_task_status FROM internal.tasks AS t WHERE t.execution_id = operation_id FOR UPDATE;
    SELECT o.status, o.operation_type, o.object_id, o.object_name INTO v_status, v_type, v_project_id, v_project_name
      FROM internal.operations AS o
     WHERE o.operation_id = operation_id
       FOR UPDATE;
    IF v_status IS NULL THEN
        PERFORM internal.raise_error(51107, operation_id::text);
    END IF;
    PERFORM internal.require_permission(4, operation_id, 2, 'operation ' || operation_id::text);
    IF v_status = 8 THEN
        PERFORM internal.raise_error(51211, operation_id::text);
    END IF;
    IF v_type <> 200 OR v_status NOT IN (1, 2, 5) THEN
        PERFORM internal.raise_error(51210, operation_id::text, v_status::text);
    END IF;
    IF v_status = 5 AND v_task_status IS NULL THEN
        -- Started while we waited for the operation: lock the task it queued.
        SELECT t.status INTO v_task_status FROM internal.tasks AS t WHERE t.execution_id = operation_id FOR UPDATE;
    END IF;

    IF v_status = 2 OR v_task_status IN (2, 3) THEN
        -- Running: the worker is told at its next task heartbeat.
        UPDATE internal.tasks AS t
           SET is_cancelled = true, cancel_requested_at = v_now, last_updated_time = v_now
         WHERE t.execution_id = operation_id;
        INSERT INTO internal.operations AS o
               (operation_type, created_time, object_type, object_id, object_name, status, start_time, caller_name, server_name, machine_name)
        VALUES (202, v_now, 20, v_project_id, v_project_name, 2, v_now, session_user, current_database(), '')
        RETURNING o.operation_id INTO v_stop_id;
        UPDATE internal.operations AS o
           SET status = 8, stopped_by_name = session_user
         WHERE o.operation_id = operation_id;
        UPDATE internal.executions AS e SET stop_operation_id = v_stop_id WHERE e.execution_id = operation_id;
        CALL internal.add_operation_message(operation_id, 70::smallint,
             'Stop requested by ' || session_user || '; the worker stops the package at its next task heartbeat.', v_now);
    ELSE
        -- Created or queued: canceled at once.
        UPDATE internal.tasks AS t
           SET status = 6, is_cancelled = true, cancel_requested_at = v_now, ready_at = NULL, last_updated_time = v_now
         WHERE t.execution_id = operation_id;
        INSERT INTO internal.operations AS o
               (operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time, caller_name, server_name, machine_name)
        VALUES (202, v_now, 20, v_project_id, v_project_name, 7, v_now, v_now, session_user, current_database(), '')
        RETURNING o.operation_id INTO v_stop_id;
        UPDATE internal.operations AS o
           SET status = 3, end_time = v_now, stopped_by_name = session_user
         WHERE o.operation_id = operation_id;
        UPDATE internal.executions AS e SET stop_operation_id = v_stop_id WHERE e.execution_id = operation_id;
        CALL internal.add_operation_message(operation_id, 70::smallint,
             'Canceled by ' || session_user || ' before it reached a worker.', v_now);
    END IF;
END;
$$;
