-- catalog.rename_environment
-- Renames an environment; the references that name it (and executions not started yet, which
-- keep its name) follow it.
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51001 (new name), 51103 no such folder, 51110 no such environment,
-- 51214 the new name is taken.
CREATE OR REPLACE PROCEDURE catalog.rename_environment(
    folder_name varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL,
    new_environment_name varchar(128) DEFAULT NULL
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
    IF new_environment_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@new_environment_name') || ' ';
    ELSIF NOT internal.is_valid_object_name(new_environment_name) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@new_environment_name', new_environment_name,
            '1 to 128 characters, no leading or trailing space, none of " < > | / \ : * ? or control characters, not starting with @') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;

    -- Rename; table order: environments, environment_references, executions
    SELECT en.environment_id, en.name INTO v_environment_id, environment_name
      FROM internal.environments AS en
     WHERE en.folder_id = v_folder_id AND lower(en.name) = lower(environment_name)
       FOR UPDATE;
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51110, environment_name, folder_name);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 2, format('environment ''%s'' in folder ''%s''', environment_name, folder_name));
    IF EXISTS (SELECT 1 FROM internal.environments AS en
                WHERE en.folder_id = v_folder_id AND lower(en.name) = lower(new_environment_name)
                  AND en.environment_id <> v_environment_id) THEN
        PERFORM internal.raise_error(51214, new_environment_name, folder_name);
    END IF;
    BEGIN
        UPDATE internal.environments AS en SET name = new_environment_name WHERE en.environment_id = v_environment_id;
    EXCEPTION WHEN unique_violation THEN
        -- Another session took the name since the check above.
        PERFORM internal.raise_error(51214, new_environment_name, folder_name);
    END;

    UPDATE internal.environment_references AS r
       SET environment_name = new_environment_name
     WHERE lower(r.environment_name) = lower(environment_name)
       AND ((r.reference_type = 'R' AND r.project_id IN (SELECT p.project_id FROM internal.projects AS p WHERE p.folder_id = v_folder_id))
            OR (r.reference_type = 'A' AND lower(r.environment_folder_name) = lower(folder_name)));

    UPDATE internal.executions AS e
       SET environment_name = new_environment_name
      FROM internal.operations AS o
     WHERE o.operation_id = e.execution_id AND o.status = 1
       AND lower(e.environment_folder_name) = lower(folder_name) AND lower(e.environment_name) = lower(environment_name);
END;
$$;
