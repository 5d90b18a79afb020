-- internal.dealwith_expired_tasks
-- The expired-task sweep (SSIS's DealWithExpiredTasks). An attempt whose lease expired — its worker
-- died, lost the network or stopped renewing — goes back to the queue while attempts remain, else
-- its execution ends unexpectedly (6); a claim the worker never acknowledged (status 2: the answer
-- never reached it) goes back without counting the attempt. A stopped execution whose worker never
-- answered the stop within StopGraceMs is canceled (3).
-- Grace after an outage: ReachableForMs is how long the calling master has reached the catalog
-- without a break. A lease is expired only once its worker has had one full lease (the task's
-- lease_ms) of that time to renew it, so leases do not all run out the moment a catalog, a master or
-- a failover comes back. NULL: no grace (tests, and callers that keep no such count).
-- Fencing: with MasterId and Epoch, the caller must hold the 'expired_tasks' sweep lease at that
-- epoch; the lease row is share-locked for the transaction, so a master that stalled past its
-- lease cannot sweep beside the new holder (51301).
-- At most BatchSize tasks per call, in one transaction; locked tasks are skipped, so it is safe
-- while dispatch runs. Call again while Processed = BatchSize.
-- Caller: the master holding the 'expired_tasks' sweep lease. Output: Processed.
-- Errors: 51001 (BatchSize, StopGraceMs, ReachableForMs, MasterId with Epoch), 51301.
CREATE OR REPLACE PROCEDURE internal.dealwith_expired_tasks(
    now timestamptz DEFAULT NULL,
    BatchSize integer DEFAULT 100,
    StopGraceMs integer DEFAULT 120000,
    ReachableForMs bigint DEFAULT NULL,
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
    error_number integer;
    error_message text := '';
    v_now timestamptz := internal.clock(now);
    r record;
    v_status integer;
    v_retry boolean;
BEGIN
    -- Check input parameters
    IF BatchSize IS NULL OR BatchSize NOT BETWEEN 1 AND 100 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@BatchSize', BatchSize::text, 'from 1 to 100') || ' ';
    END IF;
    IF StopGraceMs IS NULL OR StopGraceMs < 0 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@StopGraceMs', StopGraceMs::text, '0 or more milliseconds') || ' ';
    END IF;
    IF ReachableForMs < 0 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@ReachableForMs', ReachableForMs::text, '0 or more milliseconds, or NULL') || ' ';
    END IF;
    IF (MasterId IS NULL) <> (Epoch IS NULL) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@Epoch', COALESCE(Epoch::text, 'NULL'), 'given together with @MasterId, or neither') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Table order: sweep_leases, tasks, operations, operation_messages
    IF MasterId IS NOT NULL THEN
        PERFORM 1
           FROM internal.sweep_leases AS l
          WHERE l.sweep_name = 'expired_tasks'
            AND l.holder_id = MasterId
            AND l.epoch = Epoch
            AND l.expires_at > v_now
            FOR SHARE;
        IF NOT FOUND THEN
            PERFORM internal.raise_error(51301, 'expired_tasks', MasterId::text, Epoch::text);
        END IF;
    END IF;

    Processed := 0;
    -- Leases that ran out, once their worker had a full lease of reachable catalog to renew them.
    FOR r IN
        SELECT t.task_id, t.status
          FROM internal.tasks AS t
         WHERE t.status IN (2, 3)
           AND t.lease_expires_at <= v_now
           AND (ReachableForMs IS NULL OR t.lease_ms <= ReachableForMs)
         ORDER BY t.lease_expires_at
         LIMIT BatchSize
           FOR UPDATE SKIP LOCKED
    LOOP
        CALL internal.end_task_attempt(r.task_id, CASE WHEN r.status = 2 THEN 'unacknowledged' ELSE 'expired' END,
                                       'The lease expired.', v_now, v_status, v_retry);
        Processed := Processed + 1;
    END LOOP;

    -- Stops the worker never answered, though its lease is still renewed or not yet expired.
    FOR r IN
        SELECT t.task_id
          FROM internal.tasks AS t
         WHERE t.status IN (2, 3)
           AND t.is_cancelled
           AND t.cancel_requested_at <= v_now - make_interval(secs => StopGraceMs / 1000.0)
         ORDER BY t.cancel_requested_at
         LIMIT BatchSize - Processed
           FOR UPDATE SKIP LOCKED
    LOOP
        CALL internal.end_task_attempt(r.task_id, 'canceled', 'The worker did not answer the stop request.', v_now, v_status, v_retry);
        Processed := Processed + 1;
    END LOOP;
END;
$$;
