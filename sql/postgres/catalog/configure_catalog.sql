-- catalog.configure_catalog
-- Sets a catalog property: DEFAULT_EXECUTION_MODE (0 or 1), MAX_PROJECT_VERSIONS (1 to 9999),
-- VERSION_CLEANUP_ENABLED and OPERATION_CLEANUP_ENABLED (TRUE or FALSE), RETENTION_WINDOW (days:
-- 1 to 36500, or -1 to keep everything), SERVER_LOGGING_LEVEL (0 to 4). Records a
-- configure_catalog operation (1000). Unlike SSIS, it may run while executions are active.
-- Caller: DBA (ssis_admin).
-- Errors: 51000 an argument is NULL; 51001 unknown or read-only property, or invalid value.
CREATE OR REPLACE PROCEDURE catalog.configure_catalog(
    property_name varchar(255) DEFAULT NULL,
    property_value anycompatible DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_name text := upper(btrim(property_name));
    v_value text := btrim(property_value::text);
    v_accepted text;
    v_now timestamptz := pg_catalog.now();
BEGIN
    -- Check input parameters
    IF property_name IS NULL THEN
        PERFORM internal.raise_error(51000, '@property_name');
    END IF;
    IF property_value IS NULL THEN
        PERFORM internal.raise_error(51000, '@property_value');
    END IF;
    IF v_name IN ('VERSION_CLEANUP_ENABLED', 'OPERATION_CLEANUP_ENABLED') THEN
        -- TRUE or FALSE, as SSIS stores them; 1, 0, true and false are taken as well.
        v_value := CASE internal.bit_value(v_value) WHEN true THEN 'TRUE' WHEN false THEN 'FALSE' ELSE upper(v_value) END;
    END IF;
    v_accepted := CASE v_name
        WHEN 'DEFAULT_EXECUTION_MODE' THEN CASE WHEN v_value IN ('0', '1') THEN NULL ELSE '0 (server) or 1 (Scale Out)' END
        WHEN 'MAX_PROJECT_VERSIONS' THEN CASE WHEN v_value ~ '^[0-9]{1,4}$' AND v_value::integer >= 1 THEN NULL ELSE 'a whole number from 1 to 9999' END
        WHEN 'VERSION_CLEANUP_ENABLED' THEN CASE WHEN v_value IN ('TRUE', 'FALSE') THEN NULL ELSE 'TRUE or FALSE' END
        WHEN 'OPERATION_CLEANUP_ENABLED' THEN CASE WHEN v_value IN ('TRUE', 'FALSE') THEN NULL ELSE 'TRUE or FALSE' END
        WHEN 'RETENTION_WINDOW' THEN CASE WHEN v_value = '-1' OR (v_value ~ '^[0-9]{1,5}$' AND v_value::integer BETWEEN 1 AND 36500) THEN NULL ELSE 'days from 1 to 36500, or -1 to keep everything' END
        WHEN 'SERVER_LOGGING_LEVEL' THEN CASE WHEN v_value IN ('0', '1', '2', '3', '4') THEN NULL ELSE '0, 1, 2, 3 or 4' END
    END;
    IF v_name NOT IN ('DEFAULT_EXECUTION_MODE', 'MAX_PROJECT_VERSIONS', 'VERSION_CLEANUP_ENABLED',
                      'OPERATION_CLEANUP_ENABLED', 'RETENTION_WINDOW', 'SERVER_LOGGING_LEVEL') THEN
        -- An unknown property is named as such, not as a bad value.
        PERFORM internal.raise_error(51001, '@property_name', property_name,
            'a property that can be set: DEFAULT_EXECUTION_MODE, MAX_PROJECT_VERSIONS, VERSION_CLEANUP_ENABLED, OPERATION_CLEANUP_ENABLED, RETENTION_WINDOW or SERVER_LOGGING_LEVEL (IS_SCALEOUT_ENABLED through catalog.enable_scaleout)');
    END IF;
    IF v_accepted IS NOT NULL THEN
        PERFORM internal.raise_error(51001, '@property_value', property_value::text, v_accepted);
    END IF;

    -- Set; table order: catalog_properties, operations
    UPDATE internal.catalog_properties AS cp
       SET property_value = v_value
     WHERE cp.property_name = v_name;

    INSERT INTO internal.operations (operation_type, created_time, status, start_time, end_time, caller_name, server_name, machine_name)
    VALUES (1000, v_now, 7, v_now, v_now, session_user, current_database(), '');
END;
$$;
