-- catalog.set_object_parameter_value
-- Sets the server default of a parameter of a project's current version: a project parameter
-- (object_type 20; object_name is ignored) or a package's (30; object_name names the package).
-- value_type 'V': parameter_value is the value, which must fit the parameter's type and may not
-- be NULL (a sensitive one is stored encrypted); 'R': parameter_value names the environment
-- variable the parameter takes its value from when an execution is created with an environment
-- reference. Executions created from then on use it; a later deployment of the project keeps it
-- for the parameters that keep their name and type.
-- parameter_value is SSIS's sql_variant (anycompatible on PostgreSQL, stored as text).
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51001 (object type, value type, value), 51103 no such folder, 51104 no such
-- project, 51114 no such parameter, 51404 no protection key for a sensitive value.
CREATE OR REPLACE PROCEDURE catalog.set_object_parameter_value(
    object_type integer DEFAULT NULL,
    folder_name varchar(128) DEFAULT NULL,
    project_name varchar(128) DEFAULT NULL,
    parameter_name varchar(128) DEFAULT NULL,
    parameter_value anycompatible DEFAULT NULL,
    object_name varchar(260) DEFAULT NULL,
    value_type char(1) DEFAULT 'V'
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_value text := parameter_value::text;
    v_value_type char(1) := upper(COALESCE(value_type, 'V'));
    v_folder_id bigint;
    v_project_id bigint;
    v_lsn bigint;
    v_parameter_id bigint;
    v_data_type text;
    v_sensitive boolean;
BEGIN
    -- Check input parameters
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
    IF folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@folder_name') || ' ';
    END IF;
    IF project_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@project_name') || ' ';
    END IF;
    IF parameter_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@parameter_name') || ' ';
    END IF;
    IF v_value_type NOT IN ('V', 'R') THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@value_type', value_type,
            'V (a literal value) or R (the name of an environment variable)') || ' ';
    END IF;
    IF parameter_value IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@parameter_value') || ' ';
    ELSIF v_value_type = 'R' AND NOT internal.is_valid_object_name(v_value) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@parameter_value', v_value, 'the name of an environment variable') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@parameter_value', v_value, 4000);
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
    -- The project is locked: a deployment cannot replace its version under this change.
    SELECT p.project_id, p.name, p.object_version_lsn INTO v_project_id, project_name, v_lsn
      FROM internal.projects AS p
     WHERE p.folder_id = v_folder_id AND lower(p.name) = lower(project_name)
       FOR UPDATE;
    IF v_project_id IS NULL THEN
        PERFORM internal.raise_error(51104, project_name, folder_name);
    END IF;
    PERFORM internal.require_permission(2, v_project_id, 2, format('project ''%s'' in folder ''%s''', project_name, folder_name));

    -- Set; table: object_parameters
    SELECT op.parameter_id, op.data_type, op.sensitive INTO v_parameter_id, v_data_type, v_sensitive
      FROM internal.object_parameters AS op
     WHERE op.project_version_lsn = v_lsn AND op.object_type = object_type
       AND lower(op.object_name) = lower(CASE WHEN object_type = 20 THEN project_name ELSE object_name END)
       AND lower(op.parameter_name) = lower(parameter_name);
    IF v_parameter_id IS NULL THEN
        PERFORM internal.raise_error(51114, project_name, parameter_name,
            CASE WHEN object_type = 30 THEN format(' in package ''%s''', object_name) ELSE '' END);
    END IF;
    IF v_value_type = 'V' THEN
        IF v_data_type = 'Boolean' THEN
            v_value := CASE lower(btrim(v_value)) WHEN 'true' THEN '1' WHEN 'false' THEN '0' ELSE btrim(v_value) END;
        END IF;
        IF NOT internal.is_valid_parameter_value(v_data_type, v_value) THEN
            PERFORM internal.raise_error(51001, '@parameter_value', CASE WHEN v_sensitive THEN '********' ELSE v_value END,
                                         'a value of type ' || v_data_type);
        END IF;
        IF v_sensitive AND length(v_value) > 3900 THEN
            PERFORM internal.raise_error(51001, '@parameter_value', '********', 'a sensitive value of at most 3900 characters');
        END IF;
        IF v_sensitive THEN
            CALL internal.open_protection_key('a sensitive value of @parameter_value');
            v_value := internal.protect_value(v_value);
            IF v_value IS NULL THEN
                PERFORM internal.raise_error(51404, 'a sensitive value of @parameter_value');
            END IF;
        END IF;
    END IF;
    UPDATE internal.object_parameters AS op
       SET default_value = CASE WHEN v_value_type = 'V' THEN v_value ELSE op.design_default_value END,
           value_type = v_value_type,
           referenced_variable_name = CASE WHEN v_value_type = 'R' THEN v_value END,
           value_set = true,
           server_value_set = true
     WHERE op.parameter_id = v_parameter_id;
END;
$$;
