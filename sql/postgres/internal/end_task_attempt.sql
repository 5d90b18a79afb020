-- internal.end_task_attempt
-- Ends the current attempt of a task the caller has locked, and moves its execution on:
--   succeeded                 task 5, execution 7 succeeded
--   canceled, or stop asked   task 6, execution 3 canceled; the stop operation succeeds (7)
--   failed or expired, with attempts left
--                             task back to the queue (1), execution 5 pending again; a failure
--                             waits 5 s * 2^(attempt-1) (at most 300 s), an expired lease none;
--                             for 60 s after that the worker of the last attempt is passed over
--   failed, none left         task 4, execution 4 failed
--   expired, none left        task 4, execution 6 ended unexpectedly
-- A message in the execution's log says what happened. Callers: internal.complete_task and the
-- sweeps, inside their transaction. Table order: tasks, operations, operation_messages.
CREATE OR REPLACE PROCEDURE internal.end_task_attempt(
    TaskId uuid DEFAULT NULL,
    Outcome varchar(16) DEFAULT NULL,
    ErrorMessage text DEFAULT NULL,
    now timestamptz DEFAULT NULL,
    INOUT ExecutionStatus integer DEFAULT NULL,
    INOUT WillRetry boolean DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_now timestamptz := COALESCE(now, pg_catalog.now());
    t record;
    v_machine text;
    v_delay integer;
    v_ready timestamptz;
    v_stop_id bigint;
    v_what text;
BEGIN
    SELECT tk.execution_id, tk.executed_count, tk.max_executed_count, tk.is_cancelled, tk.worker_agent_id
      INTO t
      FROM internal.tasks AS tk
     WHERE tk.task_id = TaskId;
    SELECT COALESCE(w.display_name, w.machine_name, t.worker_agent_id::text) INTO v_machine
      FROM internal.worker_agents AS w
     WHERE w.worker_agent_id = t.worker_agent_id;
    v_machine := COALESCE(v_machine, t.worker_agent_id::text, 'a worker');
    SELECT e.stop_operation_id INTO v_stop_id FROM internal.executions AS e WHERE e.execution_id = t.execution_id;
    WillRetry := false;

    IF Outcome = 'succeeded' THEN
        UPDATE internal.tasks AS tk
           SET status = 5, lease_token = NULL, lease_expires_at = NULL, last_updated_time = v_now
         WHERE tk.task_id = TaskId;
        ExecutionStatus := 7;
    ELSIF Outcome = 'canceled' OR t.is_cancelled THEN
        UPDATE internal.tasks AS tk
           SET status = 6, lease_token = NULL, lease_expires_at = NULL, last_error = ErrorMessage, last_updated_time = v_now
         WHERE tk.task_id = TaskId;
        ExecutionStatus := 3;
        CALL internal.add_operation_message(t.execution_id, 70::smallint,
             CASE WHEN Outcome = 'canceled' THEN 'Canceled on ' || v_machine || '.'
                  ELSE 'Canceled: the stop request was not answered by ' || v_machine || '.' END, v_now);
    ELSIF t.executed_count < t.max_executed_count THEN
        v_delay := CASE WHEN Outcome = 'expired' THEN 0 ELSE LEAST(300, 5 * power(2, LEAST(GREATEST(t.executed_count - 1, 0), 6))::integer) END;
        v_ready := v_now + make_interval(secs => v_delay);
        UPDATE internal.tasks AS tk
           SET status = 1, ready_at = v_ready, worker_agent_id = NULL, lease_token = NULL, lease_expires_at = NULL,
               avoid_worker_agent_id = t.worker_agent_id, avoid_until = v_ready + interval '60 seconds',
               last_error = ErrorMessage, last_updated_time = v_now
         WHERE tk.task_id = TaskId;
        -- Ready again at once: wake the masters' long polls (delivered at commit); "targeted", as
        -- the worker it failed on is avoided. A delayed retry is found by the masters' poll
        -- (internal.count_newly_ready_tasks) when its time comes.
        IF v_delay = 0 THEN
            PERFORM pg_notify('scaleout_tasks', 'targeted ' || t.execution_id::text);
        END IF;
        ExecutionStatus := 5;
        WillRetry := true;
        v_what := CASE WHEN Outcome = 'expired' THEN 'lost its worker ' || v_machine || ' (the lease expired)'
                       ELSE 'failed on ' || v_machine || COALESCE(': ' || ErrorMessage, '') END;
        CALL internal.add_operation_message(t.execution_id, 110::smallint,
             'Attempt ' || t.executed_count || ' of ' || t.max_executed_count || ' ' || v_what
             || '. Retrying' || CASE WHEN v_delay > 0 THEN ' in ' || v_delay || ' s' ELSE ' now' END || '.', v_now);
    ELSE
        UPDATE internal.tasks AS tk
           SET status = 4, lease_token = NULL, lease_expires_at = NULL, last_error = ErrorMessage, last_updated_time = v_now
         WHERE tk.task_id = TaskId;
        ExecutionStatus := CASE WHEN Outcome = 'expired' THEN 6 ELSE 4 END;
        v_what := CASE WHEN Outcome = 'expired' THEN 'lost its worker ' || v_machine || ' (the lease expired): the execution ended unexpectedly'
                       ELSE 'failed on ' || v_machine || COALESCE(': ' || ErrorMessage, '') END;
        CALL internal.add_operation_message(t.execution_id, 120::smallint,
             'Attempt ' || t.executed_count || ' of ' || t.max_executed_count || ' ' || v_what || '.', v_now);
    END IF;

    UPDATE internal.operations AS o
       SET status = ExecutionStatus,
           end_time = CASE WHEN ExecutionStatus = 5 THEN NULL ELSE v_now END,
           machine_name = CASE WHEN ExecutionStatus = 5 THEN '' ELSE o.machine_name END,
           worker_agent_id = CASE WHEN ExecutionStatus = 5 THEN NULL ELSE o.worker_agent_id END
     WHERE o.operation_id = t.execution_id;

    IF ExecutionStatus <> 5 AND v_stop_id IS NOT NULL THEN
        UPDATE internal.operations AS o
           SET status = 7, end_time = v_now
         WHERE o.operation_id = v_stop_id AND o.status = 2;
    END IF;
END;
$$;
