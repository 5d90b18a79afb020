-- catalog.delete_environment
-- Deletes an environment with its variables, and the environment references that name it.
-- Executions created with one of those references keep the environment's name; one that has not
-- started cannot start any more (51113).
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51103 no such folder, 51110 no such environment.
CREATE OR REPLACE PROCEDURE catalog.delete_environment(
    folder_name varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL
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
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;

    -- Delete; table order: environments (variables go with it), environment_references
    SELECT en.environment_id, en.name INTO v_environment_id, environment_name
      FROM internal.environments AS en
     WHERE en.folder_id = v_folder_id AND lower(en.name) = lower(environment_name)
       FOR UPDATE;
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51110, environment_name, folder_name);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 2, format('environment ''%s'' in folder ''%s''', environment_name, folder_name));
    DELETE FROM internal.environments AS en WHERE en.environment_id = v_environment_id;

    -- Relative references of the folder's projects, and absolute ones naming this folder.
    DELETE FROM internal.environment_references AS r
     WHERE lower(r.environment_name) = lower(environment_name)
       AND ((r.reference_type = 'R' AND r.project_id IN (SELECT p.project_id FROM internal.projects AS p WHERE p.folder_id = v_folder_id))
            OR (r.reference_type = 'A' AND lower(r.environment_folder_name) = lower(folder_name)));
END;
$$;
