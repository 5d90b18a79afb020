-- internal.cleanup_completed_jobs
-- Moves tasks that ended (failed, succeeded, cancelled) more than minutesToKeep minutes ago into
-- internal.tasks_history, keeping the live queue small. At most BatchSize per call; call again while
-- Processed = BatchSize.
-- Fencing: with MasterId and Epoch, the caller must hold the 'cleanup_completed_jobs' sweep lease at
-- that epoch (internal.check_sweep_lease, 51301).
-- Caller: the master holding the 'cleanup_completed_jobs' sweep lease. Output: Processed.
-- Errors: 51001 (minutesToKeep, BatchSize).
CREATE OR REPLACE PROCEDURE internal.cleanup_completed_jobs(
    minutesToKeep integer DEFAULT 60,
    BatchSize integer DEFAULT 1000,
    now timestamptz DEFAULT NULL,
    MasterId uuid DEFAULT NULL,
    Epoch bigint DEFAULT NULL,
    INOUT Processed integer DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_now timestamptz := internal.clock(now);
BEGIN
    IF minutesToKeep IS NULL OR minutesToKeep < 0 THEN
        PERFORM internal.raise_error(51001, '@minutesToKeep', minutesToKeep::text, '0 or more minutes');
    END IF;
    IF BatchSize IS NULL OR BatchSize NOT BETWEEN 1 AND 5000 THEN
        PERFORM internal.raise_error(51001, '@BatchSize', BatchSize::text, 'from 1 to 5000');
    END IF;

    -- Table order: sweep_leases, tasks, tasks_history
    CALL internal.check_sweep_lease('cleanup_completed_jobs', MasterId, Epoch, v_now);
    WITH moved AS (
        DELETE FROM internal.tasks AS t
         WHERE t.task_id IN (SELECT f.task_id
                               FROM internal.tasks AS f
                              WHERE f.status IN (4, 5, 6)
                                AND f.last_updated_time <= v_now - make_interval(mins => minutesToKeep)
                              ORDER BY f.last_updated_time
                              LIMIT BatchSize
                                FOR UPDATE SKIP LOCKED)
        RETURNING t.task_id, t.execution_id, t.task_type, t.status, t.priority, t.max_executed_count, t.executed_count,
                  t.worker_agent_id, t.is_cancelled, t.last_pickup_time, t.last_error, t.created_time, t.last_updated_time
    )
    INSERT INTO internal.tasks_history
           (task_id, execution_id, task_type, status, priority, max_executed_count, executed_count, worker_agent_id,
            is_cancelled, last_pickup_time, last_error, created_time, last_updated_time, archived_time)
    SELECT mv.task_id, mv.execution_id, mv.task_type, mv.status, mv.priority, mv.max_executed_count, mv.executed_count,
           mv.worker_agent_id, mv.is_cancelled, mv.last_pickup_time, mv.last_error, mv.created_time, mv.last_updated_time, v_now
      FROM moved AS mv;
    GET DIAGNOSTICS Processed = ROW_COUNT;
END;
$$;
