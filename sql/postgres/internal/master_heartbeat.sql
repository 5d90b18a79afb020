-- internal.master_heartbeat
-- A master is alive: sets LAST_ONLINE_TIME and its instance's last heartbeat in catalog.masters.
-- Caller: the master (scaleout_master), every MasterHeartbeatIntervalInMs.
-- Errors: 51000 MasterId is NULL; 51102 the master has not announced itself.
CREATE OR REPLACE PROCEDURE internal.master_heartbeat(
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

    -- Table order: master_properties, masters
    UPDATE internal.master_properties AS mp
       SET property_value = to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
     WHERE mp.property_name = 'LAST_ONLINE_TIME';

    UPDATE internal.masters AS m
       SET last_heartbeat_time = v_now,
           stopped_time = NULL
     WHERE m.master_id = MasterId;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51102, MasterId::text);
    END IF;
END;
$$;
