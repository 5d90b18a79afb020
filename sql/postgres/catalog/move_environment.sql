-- catalog.move_environment
-- Moves an environment, with its variables, to another folder. Absolute references that name it
-- follow it; relative references of the source folder's projects stay as they are and find no
-- environment any more (as in SSIS): an execution created with one is refused (51113).
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51103 no such folder, 51110 no such environment, 51214 the destination has an
-- environment of that name.
CREATE OR REPLACE PROCEDURE catalog.move_environment(
    source_folder varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL,
    destination_folder varchar(128) DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_source_id bigint;
    v_destination_id bigint;
    v_environment_id bigint;
BEGIN
    -- Check input parameters
    IF source_folder IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@source_folder') || ' ';
    END IF;
    IF environment_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@environment_name') || ' ';
    END IF;
    IF destination_folder IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@destination_folder') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_source_id, source_folder FROM internal.folders AS f WHERE lower(f.name) = lower(source_folder);
    IF v_source_id IS NULL THEN
        PERFORM internal.raise_error(51103, source_folder);
    END IF;
    SELECT f.folder_id, f.name INTO v_destination_id, destination_folder FROM internal.folders AS f WHERE lower(f.name) = lower(destination_folder);
    IF v_destination_id IS NULL THEN
        PERFORM internal.raise_error(51103, destination_folder);
    END IF;

    -- Move; table order: environments, environment_references
    SELECT en.environment_id, en.name INTO v_environment_id, environment_name
      FROM internal.environments AS en
     WHERE en.folder_id = v_source_id AND lower(en.name) = lower(environment_name)
       FOR UPDATE;
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51110, environment_name, source_folder);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 2, format('environment ''%s'' in folder ''%s''', environment_name, source_folder));
    PERFORM internal.require_permission(1, v_destination_id, 100, format('folder ''%s''', destination_folder));
    IF v_destination_id = v_source_id THEN
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM internal.environments AS en
                WHERE en.folder_id = v_destination_id AND lower(en.name) = lower(environment_name)) THEN
        PERFORM internal.raise_error(51214, environment_name, destination_folder);
    END IF;
    BEGIN
        UPDATE internal.environments AS en SET folder_id = v_destination_id WHERE en.environment_id = v_environment_id;
    EXCEPTION WHEN unique_violation THEN
        -- Another session took the name in the destination since the check above.
        PERFORM internal.raise_error(51214, environment_name, destination_folder);
    END;

    UPDATE internal.environment_references AS r
       SET environment_folder_name = destination_folder
     WHERE r.reference_type = 'A'
       AND lower(r.environment_folder_name) = lower(source_folder)
       AND lower(r.environment_name) = lower(environment_name);
END;
$$;
