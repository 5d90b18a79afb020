-- catalog.create_environment_reference
-- Lets a project take parameter values from an environment: reference_type 'R' (relative) for an
-- environment in the project's own folder, 'A' (absolute) for one in environment_folder_name. The
-- environment must exist now; the reference names it (renaming or moving it carries the reference
-- along). Executions name the reference with create_execution's reference_id.
-- Caller: ssis_admin, or ssis_cluster_executor with MODIFY on the project and READ on the environment.
-- Output: reference_id.
-- Errors: 51000, 51001 (reference type, folder given for a relative reference), 51103 no such
-- folder, 51104 no such project, 51110 no such environment, 51216 the project references that
-- environment so already, 51405 a permission missing.
CREATE OR REPLACE PROCEDURE catalog.create_environment_reference(
    folder_name varchar(128) DEFAULT NULL,
    project_name varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL,
    reference_type char(1) DEFAULT NULL,
    environment_folder_name varchar(128) DEFAULT NULL,
    INOUT reference_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_type char(1) := upper(reference_type);
    v_folder_id bigint;
    v_project_id bigint;
    v_environment_folder_id bigint;
    v_environment_folder text;
    v_environment_id bigint;
BEGIN
    reference_id := NULL;

    -- Check input parameters
    IF folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@folder_name') || ' ';
    END IF;
    IF project_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@project_name') || ' ';
    END IF;
    IF environment_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@environment_name') || ' ';
    END IF;
    IF reference_type IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@reference_type') || ' ';
    ELSIF v_type NOT IN ('R', 'A') THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@reference_type', reference_type,
            'R (relative: the environment is in the project''s folder) or A (absolute: in @environment_folder_name)') || ' ';
    ELSIF v_type = 'A' AND environment_folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@environment_folder_name') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;
    IF v_type = 'R' AND environment_folder_name IS NOT NULL AND lower(environment_folder_name) <> lower(folder_name) THEN
        PERFORM internal.raise_error(51001, '@environment_folder_name', environment_folder_name,
            'NULL for a relative reference (R), whose environment is in the project''s folder; use A for another folder');
    END IF;
    -- The project is locked so that two equal references cannot both be created.
    SELECT p.project_id, p.name INTO v_project_id, project_name
      FROM internal.projects AS p
     WHERE p.folder_id = v_folder_id AND lower(p.name) = lower(project_name)
       FOR UPDATE;
    IF v_project_id IS NULL THEN
        PERFORM internal.raise_error(51104, project_name, folder_name);
    END IF;
    PERFORM internal.require_permission(2, v_project_id, 2, format('project ''%s'' in folder ''%s''', project_name, folder_name));
    IF v_type = 'R' THEN
        v_environment_folder_id := v_folder_id;
        v_environment_folder := folder_name;
    ELSE
        SELECT f.folder_id, f.name INTO v_environment_folder_id, v_environment_folder
          FROM internal.folders AS f WHERE lower(f.name) = lower(environment_folder_name);
        IF v_environment_folder_id IS NULL THEN
            PERFORM internal.raise_error(51103, environment_folder_name);
        END IF;
    END IF;
    SELECT en.environment_id, en.name INTO v_environment_id, environment_name
      FROM internal.environments AS en
     WHERE en.folder_id = v_environment_folder_id AND lower(en.name) = lower(environment_name)
       FOR SHARE;
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51110, environment_name, v_environment_folder);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 1, format('environment ''%s'' in folder ''%s''', environment_name, v_environment_folder));
    IF EXISTS (SELECT 1 FROM internal.environment_references AS r
                WHERE r.project_id = v_project_id AND r.reference_type = v_type
                  AND lower(COALESCE(r.environment_folder_name, '')) = lower(CASE WHEN v_type = 'A' THEN v_environment_folder ELSE '' END)
                  AND lower(r.environment_name) = lower(environment_name)) THEN
        PERFORM internal.raise_error(51216, project_name,
            format('environment "%s" in folder "%s" (%s)', environment_name, v_environment_folder,
                   CASE v_type WHEN 'R' THEN 'relative' ELSE 'absolute' END));
    END IF;

    -- Create; table: environment_references
    INSERT INTO internal.environment_references AS r
           (project_id, reference_type, environment_folder_name, environment_name, created_by_name)
    VALUES (v_project_id, v_type, CASE WHEN v_type = 'A' THEN v_environment_folder END, environment_name, session_user)
    RETURNING r.reference_id INTO reference_id;
END;
$$;
