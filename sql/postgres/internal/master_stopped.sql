-- internal.master_stopped
-- A master is shutting down: marks its instance stopped and releases every sweep lease it holds, so
-- that another master takes the sweeps over at once instead of after the lease expires.
-- Caller: the master (scaleout_master), on SIGTERM.
-- Errors: 51000 MasterId is NULL; 51102 the master has not announced itself.
CREATE OR REPLACE PROCEDURE internal.master_stopped(
    MasterId uuid DEFAULT NULL,
    now timestamptz DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_now timestamptz := internal.clock(now);
BEGIN
    IF MasterId IS NULL THEN
        PERFORM internal.raise_error(51000, '@MasterId');
    END IF;

    -- Table order: masters, sweep_leases
    UPDATE internal.masters AS m
       SET stopped_time = v_now
     WHERE m.master_id = MasterId;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51102, MasterId::text);
    END IF;

    UPDATE internal.sweep_leases AS l
       SET holder_id = NULL,
           expires_at = NULL
     WHERE l.holder_id = MasterId;
END;
$$;
