-- catalog.delete_environment_variable
-- Deletes a variable from an environment. Parameters that reference it find it missing when an
-- execution against the environment is created or started (51218).
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51103 no such folder, 51110 no such environment, 51111 no such variable.
CREATE OR REPLACE PROCEDURE catalog.delete_environment_variable(
    folder_name varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL,
    variable_name varchar(128) DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_folder_id bigint;
    v_environment_id bigint;
    v_variable_id bigint;
BEGIN
    -- Check input parameters
    IF folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@folder_name') || ' ';
    END IF;
    IF environment_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@environment_name') || ' ';
    END IF;
    IF variable_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@variable_name') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;
    SELECT en.environment_id, en.name INTO v_environment_id, environment_name
      FROM internal.environments AS en
     WHERE en.folder_id = v_folder_id AND lower(en.name) = lower(environment_name);
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51110, environment_name, folder_name);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 2, format('environment ''%s'' in folder ''%s''', environment_name, folder_name));

    -- Delete; table: environment_variables
    DELETE FROM internal.environment_variables AS ev
     WHERE ev.environment_id = v_environment_id AND lower(ev.name) = lower(variable_name)
    RETURNING ev.variable_id INTO v_variable_id;
    IF v_variable_id IS NULL THEN
        PERFORM internal.raise_error(51111, environment_name, variable_name);
    END IF;
END;
$$;
