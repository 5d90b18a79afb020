-- catalog.disable_scaleout
-- Turns Scale Out off for the catalog (IS_SCALEOUT_ENABLED empty, as SSIS leaves it): workers still
-- register and heartbeat, but no task is handed out until Scale Out is enabled again.
-- Caller: DBA (ssis_admin).
CREATE OR REPLACE PROCEDURE catalog.disable_scaleout()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    UPDATE internal.master_properties AS mp
       SET property_value = ''
     WHERE mp.property_name = 'IS_SCALEOUT_ENABLED';
END;
$$;
