-- internal.dealwith_expired_tasks
-- The expired-task sweep (SSIS's DealWithExpiredTasks): attempts whose lease expired — their worker
-- died, lost the network or stopped heartbeating — go back to the queue while attempts remain,
-- else their execution ends unexpectedly (6); stopped executions whose worker never answered the
-- stop within StopGraceMs are canceled (3). At most BatchSize tasks per call; locked tasks are
-- skipped, so it is safe while dispatch runs. Call again while Processed = BatchSize.
-- Caller: the master holding the 'expired_tasks' sweep lease. Output: Processed.
-- Errors: 51001 (BatchSize, StopGraceMs).
CREATE OR REPLACE PROCEDURE internal.dealwith_expired_tasks(
    now timestamptz DEFAULT NULL,
    BatchSize integer DEFAULT 1000,
    StopGraceMs integer DEFAULT 120000,
    INOUT Processed integer DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_now timestamptz := COALESCE(now, pg_catalog.now());
    r record;
    v_status integer;
    v_retry boolean;
BEGIN
    IF BatchSize IS NULL OR BatchSize NOT BETWEEN 1 AND 5000 THEN
        PERFORM internal.raise_error(51001, '@BatchSize', BatchSize::text, 'from 1 to 5000');
    END IF;
    IF StopGraceMs IS NULL OR StopGraceMs < 0 THEN
        PERFORM internal.raise_error(51001, '@StopGraceMs', StopGraceMs::text, '0 or more milliseconds');
    END IF;

    Processed := 0;
    -- Table order: tasks, operations, operation_messages
    FOR r IN
        SELECT t.task_id,
               (t.lease_expires_at > v_now) AS stop_unanswered
          FROM internal.tasks AS t
         WHERE t.status IN (2, 3)
           AND (t.lease_expires_at <= v_now
                OR (t.is_cancelled AND t.cancel_requested_at <= v_now - make_interval(secs => StopGraceMs / 1000.0)))
         ORDER BY t.lease_expires_at
         LIMIT BatchSize
           FOR UPDATE SKIP LOCKED
    LOOP
        CALL internal.end_task_attempt(r.task_id, CASE WHEN r.stop_unanswered THEN 'canceled' ELSE 'expired' END,
                                       CASE WHEN r.stop_unanswered THEN 'The worker did not answer the stop request.' ELSE 'The lease expired.' END,
                                       v_now, v_status, v_retry);
        Processed := Processed + 1;
    END LOOP;
END;
$$;
