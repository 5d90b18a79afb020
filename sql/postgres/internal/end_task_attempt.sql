-- internal.end_task_attempt
-- Ends the current attempt of a task the caller has locked, and moves its execution on:
--   succeeded                 task 5, execution 7 succeeded
--   canceled, or stop asked   task 6, execution 3 canceled; the stop operation succeeds (7)
--   released, unacknowledged  the attempt never ran: the claim never reached its worker (its long
--                             poll was gone, or the worker never acknowledged it before the lease
--                             ran out), or the worker gave it back unstarted. Task back to the
--                             queue (1) at its old place, execution 5 pending; the attempt is not
--                             counted (executed_count goes back)
--   failed, attempts left     task back to the queue (1), execution 5 pending; it waits
--                             5 s * 2^(attempt-1) (at most 300 s), and for 60 s after that the
--                             worker it failed on is passed over
--   expired, abandoned, attempts left
--                             the worker was lost (its lease expired) or restarted while the
--                             package ran: back to the queue at once, any worker may take it
--   failed, none left         task 4, execution 4 failed
--   expired, abandoned, none left
--                             task 4, execution 6 ended unexpectedly
-- Every retry keeps the task's place in the queue (the claim takes ready tasks in the order they
-- were first queued). A message in the execution's log says what happened. Callers:
-- internal.complete_task, internal.complete_tasks, internal.release_tasks and the sweeps, inside
-- their transaction. The attempt's row in internal.task_attempts gets its end and outcome.
-- Table order: tasks, operations, task_attempts, operation_messages.
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
    v_now timestamptz := internal.clock(now);
    t record;
    v_machine text;
    v_delay integer;
    v_ready timestamptz;
    v_stop_id bigint;
    v_what text;
    v_lost boolean := Outcome IN ('expired', 'abandoned');
    v_open boolean;
BEGIN
    SELECT tk.execution_id, tk.executed_count, tk.max_executed_count, tk.is_cancelled, tk.worker_agent_id,
           tk.use_any_worker, tk.required_tags, tk.avoid_worker_agent_id, tk.avoid_until, tk.lease_token
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
                  WHEN Outcome IN ('released', 'unacknowledged') THEN 'Canceled before it ran on ' || v_machine || '.'
                  ELSE 'Canceled: the stop request was not answered by ' || v_machine || '.' END, v_now);
    ELSIF Outcome IN ('released', 'unacknowledged') THEN
        -- The attempt never ran: it is not counted, and the task goes back to its place.
        UPDATE internal.tasks AS tk
           SET status = 1, ready_at = v_now, worker_agent_id = NULL, lease_token = NULL, lease_expires_at = NULL,
               executed_count = tk.executed_count - 1, last_updated_time = v_now
         WHERE tk.task_id = TaskId;
        ExecutionStatus := 5;
        WillRetry := true;
        IF Outcome = 'unacknowledged' THEN
            CALL internal.add_operation_message(t.execution_id, 110::smallint,
                 'Worker ' || v_machine || ' never confirmed that it received attempt ' || t.executed_count
                 || ' before its lease ran out; the task went back to the queue, and the attempt was not counted.', v_now);
        END IF;
    ELSIF t.executed_count < t.max_executed_count THEN
        v_delay := CASE WHEN v_lost THEN 0 ELSE LEAST(300, 5 * power(2, LEAST(GREATEST(t.executed_count - 1, 0), 6))::integer) END;
        v_ready := v_now + make_interval(secs => v_delay);
        -- Only a failure passes its worker over for a while; a lost worker is no reason to.
        UPDATE internal.tasks AS tk
           SET status = 1, ready_at = v_ready, worker_agent_id = NULL, lease_token = NULL, lease_expires_at = NULL,
               avoid_worker_agent_id = CASE WHEN v_lost THEN tk.avoid_worker_agent_id ELSE t.worker_agent_id END,
               avoid_until = CASE WHEN v_lost THEN tk.avoid_until ELSE v_ready + interval '60 seconds' END,
               last_error = ErrorMessage, last_updated_time = v_now
         WHERE tk.task_id = TaskId;
        ExecutionStatus := 5;
        WillRetry := true;
        v_what := CASE WHEN Outcome = 'expired' THEN 'lost its worker ' || v_machine || ' (the lease expired)'
                       WHEN Outcome = 'abandoned' THEN 'was ended when its worker ' || v_machine || ' restarted'
                       ELSE 'failed on ' || v_machine || COALESCE(': ' || ErrorMessage, '') END;
        CALL internal.add_operation_message(t.execution_id, 110::smallint,
             'Attempt ' || t.executed_count || ' of ' || t.max_executed_count || ' ' || v_what
             || '. Retrying' || CASE WHEN v_delay > 0 THEN ' in ' || v_delay || ' s' ELSE ' now' END || '.', v_now);
    ELSE
        UPDATE internal.tasks AS tk
           SET status = 4, lease_token = NULL, lease_expires_at = NULL, last_error = ErrorMessage, last_updated_time = v_now
         WHERE tk.task_id = TaskId;
        ExecutionStatus := CASE WHEN v_lost THEN 6 ELSE 4 END;
        v_what := CASE WHEN Outcome = 'expired' THEN 'lost its worker ' || v_machine || ' (the lease expired): the execution ended unexpectedly'
                       WHEN Outcome = 'abandoned' THEN 'was ended when its worker ' || v_machine || ' restarted: the execution ended unexpectedly'
                       ELSE 'failed on ' || v_machine || COALESCE(': ' || ErrorMessage, '') END;
        CALL internal.add_operation_message(t.execution_id, 120::smallint,
             'Attempt ' || t.executed_count || ' of ' || t.max_executed_count || ' ' || v_what || '.', v_now);
    END IF;

    -- Ready again at once: wake the masters' long polls (delivered at commit). "open" when any
    -- worker may take it, so the first claim that finds nothing ends the wake-up chain; a delayed
    -- retry is found by the masters' poll (internal.count_newly_ready_tasks) when its time comes.
    IF ExecutionStatus = 5 AND COALESCE(v_delay, 0) = 0 THEN
        v_open := t.use_any_worker AND t.required_tags IS NULL
                  AND (Outcome IN ('released', 'unacknowledged') OR v_lost)
                  AND (t.avoid_worker_agent_id IS NULL OR t.avoid_until <= v_now);
        PERFORM pg_notify('scaleout_tasks', CASE WHEN v_open THEN 'open ' ELSE 'targeted ' END || t.execution_id::text);
    END IF;

    UPDATE internal.operations AS o
       SET status = ExecutionStatus,
           end_time = CASE WHEN ExecutionStatus = 5 THEN NULL ELSE v_now END,
           machine_name = CASE WHEN ExecutionStatus = 5 THEN '' ELSE o.machine_name END,
           worker_agent_id = CASE WHEN ExecutionStatus = 5 THEN NULL ELSE o.worker_agent_id END,
           executed_count = CASE WHEN Outcome IN ('released', 'unacknowledged') AND ExecutionStatus = 5
                                 THEN t.executed_count - 1 ELSE o.executed_count END
     WHERE o.operation_id = t.execution_id;

    UPDATE internal.task_attempts AS a
       SET ended_time = v_now, outcome = Outcome
     WHERE a.execution_id = t.execution_id AND a.lease_token = t.lease_token;

    IF ExecutionStatus <> 5 AND v_stop_id IS NOT NULL THEN
        UPDATE internal.operations AS o
           SET status = 7, end_time = v_now
         WHERE o.operation_id = v_stop_id AND o.status = 2;
    END IF;
END;
$$;
