-- catalog.create_environment
-- Creates an environment in a folder: a named set of variables (Dev, Test, Prod) that the folder's
-- projects, and others' through absolute references, take parameter values from. Names follow the
-- folder rules and are unique in their folder without regard to case.
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51001 (name, description over 1024 characters), 51103 no such folder,
-- 51214 the environment exists.
CREATE OR REPLACE PROCEDURE catalog.create_environment(
    folder_name varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL,
    environment_description varchar(1024) DEFAULT NULL
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
    ELSIF NOT internal.is_valid_object_name(environment_name) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@environment_name', environment_name,
            '1 to 128 characters, no leading or trailing space, none of " < > | / \ : * ? or control characters, not starting with @') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@environment_description', environment_description, 1024);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;
    PERFORM internal.require_permission(1, v_folder_id, 100, format('folder ''%s''', folder_name));

    -- Create; table: environments
    INSERT INTO internal.environments AS en (folder_id, name, description, created_by_name)
    VALUES (v_folder_id, environment_name, environment_description, session_user)
    ON CONFLICT (folder_id, (lower(name))) DO NOTHING
    RETURNING en.environment_id INTO v_environment_id;
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51214, environment_name, folder_name);
    END IF;
    -- Its creator may read, change it and manage its permissions.
    CALL internal.grant_creator_permissions(3, v_environment_id);
END;
$$;
