-- catalog.clear_object_parameter_value
-- Takes back what catalog.set_object_parameter_value set on a parameter of a project's current
-- version: the parameter takes its design default again (value_type V), and no longer an
-- environment variable. A project parameter is object_type 20 (object_name is ignored), a
-- package's 30 (object_name names the package).
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51001 (object type), 51103 no such folder, 51104 no such project, 51114 no such
-- parameter, 51405 no MODIFY on the project.
CREATE OR REPLACE PROCEDURE catalog.clear_object_parameter_value(
    folder_name varchar(128) DEFAULT NULL,
    project_name varchar(128) DEFAULT NULL,
    object_type integer DEFAULT NULL,
    object_name varchar(260) DEFAULT NULL,
    parameter_name varchar(128) DEFAULT NULL
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
    v_project_id bigint;
    v_lsn bigint;
    v_parameter_id bigint;
BEGIN
    -- Check input parameters
    IF folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@folder_name') || ' ';
    END IF;
    IF project_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@project_name') || ' ';
    END IF;
    IF object_type IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@object_type') || ' ';
    ELSIF object_type NOT IN (20, 30) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@object_type', object_type::text, '20 (project) or 30 (package)') || ' ';
    ELSIF object_type = 30 AND object_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@object_name') || ' ';
    END IF;
    IF parameter_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@parameter_name') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;
    -- The project is locked: a deployment cannot replace its version under this change.
    SELECT p.project_id, p.name, p.object_version_lsn INTO v_project_id, project_name, v_lsn
      FROM internal.projects AS p
     WHERE p.folder_id = v_folder_id AND lower(p.name) = lower(project_name)
       FOR UPDATE;
    IF v_project_id IS NULL THEN
        PERFORM internal.raise_error(51104, project_name, folder_name);
    END IF;
    PERFORM internal.require_permission(2, v_project_id, 2, format('project ''%s'' in folder ''%s''', project_name, folder_name));

    -- Clear; table: object_parameters
    UPDATE internal.object_parameters AS op
       SET default_value = op.design_default_value,
           value_type = 'V',
           referenced_variable_name = NULL,
           value_set = op.design_default_value IS NOT NULL,
           server_value_set = false
     WHERE op.project_version_lsn = v_lsn AND op.object_type = object_type
       AND lower(op.object_name) = lower(CASE WHEN object_type = 20 THEN project_name ELSE object_name END)
       AND lower(op.parameter_name) = lower(parameter_name)
    RETURNING op.parameter_id INTO v_parameter_id;
    IF v_parameter_id IS NULL THEN
        PERFORM internal.raise_error(51114, project_name, parameter_name,
            CASE WHEN object_type = 30 THEN format(' in package ''%s''', object_name) ELSE '' END);
    END IF;
END;
$$;
