-- catalog.create_execution
-- Creates an execution of an entry-point package of a project's current version (status 1,
-- created): an operation of type 200 and the execution's parameter values — the project (20) and
-- package (30) parameters with their defaults, and the system (50) parameters LOGGING_LEVEL (from
-- SERVER_LOGGING_LEVEL), DUMP_ON_ERROR, DUMP_ON_EVENT, DUMP_EVENT_CODE, CALLER_INFO, SYNCHRONIZED.
-- runinscaleout NULL follows DEFAULT_EXECUTION_MODE (when Scale Out is enabled); this catalog
-- runs packages in Scale Out only. Ours: priority (higher first), required_tags (a worker must
-- have every one of them) and timeout_seconds (the package's own timeout when NULL).
-- The bit parameters (use32bitruntime, runinscaleout, useanyworker) take 1/0 or true/false, as
-- psql users type them (anycompatible; one kind per call); NULL takes the default.
-- reference_id names one of the project's environment references (catalog.environment_references):
-- the execution keeps the environment's folder and name, and its referenced parameters (value_type
-- 'R') take the environment's variables (internal.resolve_environment_values; again when it
-- starts). Without one, a referenced parameter that is not required takes its design default, and
-- a required one stays unset (start_execution refuses it, 51209).
-- Caller: ssis_admin, ssis_cluster_executor. Output: execution_id.
-- Errors: 51000, 51001, 51103, 51104, 51105, 51112 (no such reference for the project), 51113,
-- 51205, 51212, 51213, 51217, 51218, 51219.
CREATE OR REPLACE PROCEDURE catalog.create_execution(
    folder_name varchar(128) DEFAULT NULL,
    project_name varchar(128) DEFAULT NULL,
    package_name varchar(260) DEFAULT NULL,
    reference_id bigint DEFAULT NULL,
    use32bitruntime anycompatible DEFAULT NULL,
    runinscaleout anycompatible DEFAULT NULL,
    useanyworker anycompatible DEFAULT NULL,
    INOUT execution_id bigint DEFAULT NULL,
    priority integer DEFAULT 0,
    required_tags text DEFAULT NULL,
    timeout_seconds integer DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_now timestamptz := pg_catalog.now();
    v_scaleout_enabled boolean;
    v_in_scaleout boolean;
    v_folder_id bigint;
    v_project_id bigint;
    v_lsn bigint;
    v_entry_point boolean;
    v_package_timeout integer;
    v_logging_level text;
    v_reference_project_id bigint;
    v_reference_type char(1);
    v_environment_folder text;
    v_environment_name text;
    -- The bit parameters, as internal.bit_value reads them; NULL takes SSIS's default.
    v_use32bitruntime boolean := COALESCE(internal.bit_value(use32bitruntime::text), false);
    v_runinscaleout boolean := internal.bit_value(runinscaleout::text);
    v_useanyworker boolean := COALESCE(internal.bit_value(useanyworker::text), true);
BEGIN
    execution_id := NULL;

    -- Check input parameters
    IF folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@folder_name') || ' ';
    END IF;
    IF project_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@project_name') || ' ';
    END IF;
    IF package_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@package_name') || ' ';
    END IF;
    IF use32bitruntime IS NOT NULL AND internal.bit_value(use32bitruntime::text) IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@use32bitruntime', use32bitruntime::text, '1 or 0 (true or false)') || ' ';
    END IF;
    IF runinscaleout IS NOT NULL AND v_runinscaleout IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@runinscaleout', runinscaleout::text, '1 or 0 (true or false), or NULL') || ' ';
    END IF;
    IF useanyworker IS NOT NULL AND internal.bit_value(useanyworker::text) IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@useanyworker', useanyworker::text, '1 or 0 (true or false)') || ' ';
    END IF;
    IF priority IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@priority') || ' ';
    END IF;
    IF timeout_seconds IS NOT NULL AND timeout_seconds <= 0 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@timeout_seconds', timeout_seconds::text, 'a number of seconds greater than 0') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@required_tags', required_tags, 4000);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT COALESCE(mp.property_value, '') = 'TRUE' INTO v_scaleout_enabled
      FROM internal.master_properties AS mp
     WHERE mp.property_name = 'IS_SCALEOUT_ENABLED';
    v_in_scaleout := COALESCE(v_runinscaleout,
                              v_scaleout_enabled AND (SELECT cp.property_value FROM internal.catalog_properties AS cp
                                                       WHERE cp.property_name = 'DEFAULT_EXECUTION_MODE') = '1');
    IF NOT COALESCE(v_scaleout_enabled, false) THEN
        PERFORM internal.raise_error(51213);
    END IF;
    IF NOT v_in_scaleout THEN
        PERFORM internal.raise_error(51212);
    END IF;

    -- Names are found without regard to case (their collation) and kept as the catalog spells them.
    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;
    SELECT p.project_id, p.object_version_lsn, p.name INTO v_project_id, v_lsn, project_name
      FROM internal.projects AS p
     WHERE p.folder_id = v_folder_id AND lower(p.name) = lower(project_name);
    IF v_project_id IS NULL THEN
        PERFORM internal.raise_error(51104, project_name, folder_name);
    END IF;
    PERFORM internal.require_permission(2, v_project_id, 1, format('project ''%s'' in folder ''%s''', project_name, folder_name));
    PERFORM internal.require_permission(2, v_project_id, 3, format('project ''%s'' in folder ''%s''', project_name, folder_name));
    SELECT pk.entry_point, pk.timeout_seconds, pk.name INTO v_entry_point, v_package_timeout, package_name
      FROM internal.packages AS pk
     WHERE pk.project_version_lsn = v_lsn AND lower(pk.name) = lower(package_name);
    IF v_entry_point IS NULL THEN
        PERFORM internal.raise_error(51105, package_name, project_name, folder_name);
    END IF;
    IF NOT v_entry_point THEN
        PERFORM internal.raise_error(51205, package_name);
    END IF;

    IF reference_id IS NOT NULL THEN
        SELECT r.project_id, r.reference_type, COALESCE(r.environment_folder_name, folder_name), r.environment_name
          INTO v_reference_project_id, v_reference_type, v_environment_folder, v_environment_name
          FROM internal.environment_references AS r
         WHERE r.reference_id = reference_id;
        IF v_reference_project_id IS DISTINCT FROM v_project_id THEN
            PERFORM internal.raise_error(51112, reference_id::text, format(' for project ''%s'' in folder ''%s''', project_name, folder_name));
        END IF;
    END IF;

    SELECT cp.property_value INTO v_logging_level
      FROM internal.catalog_properties AS cp
     WHERE cp.property_name = 'SERVER_LOGGING_LEVEL';

    -- Create; table order: operations, executions, execution_parameter_values
    INSERT INTO internal.operations AS o
           (operation_type, created_time, object_type, object_id, object_name, status, caller_name, server_name, machine_name)
    VALUES (200, v_now, 20, v_project_id, project_name, 1, session_user, current_database(), '')
    RETURNING o.operation_id INTO execution_id;

    INSERT INTO internal.executions
           (execution_id, folder_name, project_name, package_name, reference_id, reference_type, environment_folder_name,
            environment_name, project_lsn, executed_as_name,
            use32bitruntime, run_in_scaleout, use_any_worker, priority, required_tags, timeout_seconds,
            default_logging_level)
    VALUES (execution_id, folder_name, project_name, package_name, reference_id, v_reference_type, v_environment_folder,
            v_environment_name, v_lsn, session_user,
            v_use32bitruntime, true, v_useanyworker, priority, internal.normalize_tags(required_tags),
            COALESCE(timeout_seconds, v_package_timeout), COALESCE(v_logging_level, '1'));

    INSERT INTO internal.execution_parameter_values
           (execution_id, object_type, parameter_data_type, parameter_name, parameter_value, sensitive, required, value_set,
            referenced_variable_name)
    SELECT execution_id, p.object_type, p.data_type, p.parameter_name, p.value, p.sensitive, p.required,
           p.value IS NOT NULL, p.referenced_variable_name
      FROM internal.new_execution_parameters(v_lsn, package_name) AS p;

    CALL internal.resolve_environment_values(execution_id);
END;
$$;
