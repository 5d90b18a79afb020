-- internal.cleanup_server_retention_window
-- Retention (SSIS's maintenance job): when OPERATION_CLEANUP_ENABLED is TRUE and RETENTION_WINDOW
-- is not -1, deletes operations that ended more than RETENTION_WINDOW days ago, with their
-- executions, parameter values, messages and archived tasks. The messages go first, at most
-- 10 x BatchSize per call, each call its own transaction: one operation's log may hold millions of
-- lines, and deleting them in one transaction is SSISDB's classic retention outage (the log grows,
-- every log writer waits). Then at most BatchSize operations per call. Processed is the number of
-- operations deleted, or BatchSize while messages were deleted: call again while Processed =
-- BatchSize.
-- Fencing: with MasterId and Epoch, the caller must hold the 'retention' sweep lease at that epoch
-- (internal.check_sweep_lease, 51301).
-- Caller: the master holding the 'retention' sweep lease. Output: Processed.
-- Errors: 51001 (BatchSize).
CREATE OR REPLACE PROCEDURE internal.cleanup_server_retention_window(
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
    v_enabled text;
    v_days text;
    v_messages integer;
    v_cutoff timestamptz;
BEGIN
    IF BatchSize IS NULL OR BatchSize NOT BETWEEN 1 AND 5000 THEN
        PERFORM internal.raise_error(51001, '@BatchSize', BatchSize::text, 'from 1 to 5000');
    END IF;

    Processed := 0;
    -- The fence first, whatever the settings say.
    CALL internal.check_sweep_lease('retention', MasterId, Epoch, v_now);
    SELECT upper(cp.property_value) INTO v_enabled FROM internal.catalog_properties AS cp WHERE cp.property_name = 'OPERATION_CLEANUP_ENABLED';
    SELECT cp.property_value INTO v_days FROM internal.catalog_properties AS cp WHERE cp.property_name = 'RETENTION_WINDOW';
    IF v_enabled IS DISTINCT FROM 'TRUE' OR v_days IS NULL OR v_days !~ '^[0-9]{1,5}$' OR v_days::integer < 1 THEN
        RETURN;
    END IF;
    -- Found through ix_operations_created_time: an operation that ended before the cutoff was
    -- created before it (its end time has no index, so that ending one writes none).
    v_cutoff := v_now - make_interval(days => v_days::integer);

    -- First the messages of the operations due, a chunk at a time.
    WITH due AS (
        SELECT o.operation_id
          FROM internal.operations AS o
         WHERE o.created_time <= v_cutoff
           AND o.end_time <= v_cutoff
         ORDER BY o.created_time
         LIMIT BatchSize
    ), chunk AS (
        SELECT m.operation_message_id
          FROM internal.operation_messages AS m
          JOIN due AS d ON d.operation_id = m.operation_id
         LIMIT BatchSize * 10
           FOR UPDATE OF m SKIP LOCKED
    )
    DELETE FROM internal.operation_messages AS m
     USING chunk AS c
     WHERE m.operation_message_id = c.operation_message_id;
    GET DIAGNOSTICS v_messages = ROW_COUNT;
    IF v_messages > 0 THEN
        Processed := BatchSize;
        RETURN;
    END IF;

    -- Table order: tasks_history, operations (cascading to executions, parameter values, tasks)
    WITH doomed AS (
        SELECT o.operation_id
          FROM internal.operations AS o
         WHERE o.created_time <= v_cutoff
           AND o.end_time <= v_cutoff
         ORDER BY o.created_time
         LIMIT BatchSize
           FOR UPDATE SKIP LOCKED
    ), history AS (
        DELETE FROM internal.tasks_history AS h
         USING doomed AS d
         WHERE h.execution_id = d.operation_id
    )
    DELETE FROM internal.operations AS o
     USING doomed AS d
     WHERE o.operation_id = d.operation_id;
    GET DIAGNOSTICS Processed = ROW_COUNT;
END;
$$;
