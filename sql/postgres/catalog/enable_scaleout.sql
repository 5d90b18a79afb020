-- catalog.enable_scaleout
-- Turns Scale Out on for the catalog (IS_SCALEOUT_ENABLED = TRUE): workers are handed tasks.
-- Caller: DBA (ssis_admin).
CREATE OR REPLACE PROCEDURE catalog.enable_scaleout()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    UPDATE internal.master_properties AS mp
       SET property_value = 'TRUE'
     WHERE mp.property_name = 'IS_SCALEOUT_ENABLED';
END;
$$;
