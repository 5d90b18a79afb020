-- catalog.start_executions
-- Creates and starts many executions in one call and one transaction: what create_execution and
-- start_execution do for one, for up to 10,000, with a few set-based statements instead of two calls
-- each. executions is a JSON array of objects, one per execution, with the keys of
-- catalog.create_execution: folder_name, project_name, package_name (required), reference_id,
-- use32bitruntime, useanyworker, priority, required_tags, timeout_seconds (optional; NULL or absent
-- takes the default). Any other key is refused, so that a misspelt one does not go unnoticed. Every
-- execution runs in Scale Out (this procedure is Scale Out's own, so DEFAULT_EXECUTION_MODE does not
-- apply) with retry_count + 1 attempts, and takes its parameters' server defaults, or its
-- environment's variables through reference_id; a package with a required parameter neither gives a
-- value is refused (51209), since the values of a batch cannot be set between its creation and its
-- start.
-- All or nothing: the first row that is refused names its number, and nothing is created. One
-- notification wakes the masters for the whole batch.
-- Caller: ssis_admin, ssis_cluster_executor (READ and EXECUTE on every project named).
-- Output: execution_ids, the new executions' ids in the order of the rows.
-- Errors: 51000, 51001 (not an array of 1 to 10,000 objects, a row's value, retry_count), 51103,
-- 51104, 51105, 51112, 51205, 51209 (named by row), 51213, and those of
-- internal.resolve_environment_values (51113, 51217, 51218, 51219, 51405).
CREATE OR REPLACE PROCEDURE catalog.start_executions(
    executions jsonb DEFAULT NULL,
    retry_count integer DEFAULT 0,
    INOUT execution_ids bigint[] DEFAULT NULL
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
    v_count integer;
    v_bad record;
    v_project record;
    v_referencing bigint;
    v_logging_level text;
    v_keys text[] := ARRAY['folder_name', 'project_name', 'package_name', 'reference_id', 'use32bitruntime',
                           'useanyworker', 'priority', 'required_tags', 'timeout_seconds'];
BEGIN
    execution_ids := NULL;

    -- Check input parameters
    IF executions IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@executions') || ' ';
    ELSIF jsonb_typeof(executions) <> 'array' OR jsonb_array_length(executions) NOT BETWEEN 1 AND 10000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@executions', executions::text,
            'a JSON array of 1 to 10,000 objects, one per execution') || ' ';
    END IF;
    IF retry_count IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@retry_count') || ' ';
    ELSIF retry_count < 0 OR retry_count > 1000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@retry_count', retry_count::text, 'from 0 to 1000') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Each row's values, the first row refused (by number) named with what it lacks.
    SELECT j.n, j.v, c.problem INTO v_bad
      FROM jsonb_array_elements(executions) WITH ORDINALITY AS j (v, n)
     CROSS JOIN LATERAL (
            SELECT CASE
                WHEN jsonb_typeof(j.v) <> 'object' THEN 'is not a JSON object'
                WHEN j.v - v_keys <> '{}'::jsonb THEN format('has the key "%s", which is none of folder_name, project_name, package_name, '
                     'reference_id, use32bitruntime, useanyworker, priority, required_tags, timeout_seconds',
                     left((SELECT min(key) FROM jsonb_object_keys(j.v - v_keys) AS key), 60))
                WHEN NOT COALESCE(jsonb_typeof(j.v -> 'folder_name') = 'string' AND length(j.v ->> 'folder_name') BETWEEN 1 AND 128, false) THEN 'needs folder_name, text of 1 to 128 characters'
                WHEN NOT COALESCE(jsonb_typeof(j.v -> 'project_name') = 'string' AND length(j.v ->> 'project_name') BETWEEN 1 AND 128, false) THEN 'needs project_name, text of 1 to 128 characters'
                WHEN NOT COALESCE(jsonb_typeof(j.v -> 'package_name') = 'string' AND length(j.v ->> 'package_name') BETWEEN 1 AND 260, false) THEN 'needs package_name, text of 1 to 260 characters'
                WHEN NOT CASE WHEN jsonb_typeof(j.v -> 'reference_id') IS NULL OR jsonb_typeof(j.v -> 'reference_id') = 'null' THEN true
                              WHEN jsonb_typeof(j.v -> 'reference_id') IN ('number', 'string') AND (j.v ->> 'reference_id') ~ '^\s*-?[0-9]{1,19}\s*$'
                                   THEN (j.v ->> 'reference_id')::numeric BETWEEN 1 AND 9223372036854775807
                              ELSE false END THEN 'reference_id must be a reference''s id or null'
                WHEN NOT (jsonb_typeof(j.v -> 'use32bitruntime') IS NULL OR jsonb_typeof(j.v -> 'use32bitruntime') = 'null' OR internal.bit_value(j.v ->> 'use32bitruntime') IS NOT NULL) THEN 'use32bitruntime must be 1 or 0 (true or false)'
                WHEN NOT (jsonb_typeof(j.v -> 'useanyworker') IS NULL OR jsonb_typeof(j.v -> 'useanyworker') = 'null' OR internal.bit_value(j.v ->> 'useanyworker') IS NOT NULL) THEN 'useanyworker must be 1 or 0 (true or false)'
                WHEN NOT CASE WHEN jsonb_typeof(j.v -> 'priority') IS NULL OR jsonb_typeof(j.v -> 'priority') = 'null' THEN true
                              WHEN jsonb_typeof(j.v -> 'priority') IN ('number', 'string') AND (j.v ->> 'priority') ~ '^\s*-?[0-9]{1,19}\s*$'
                                   THEN (j.v ->> 'priority')::numeric BETWEEN -2147483648 AND 2147483647
                              ELSE false END THEN 'priority must be a whole number'
                WHEN NOT CASE WHEN jsonb_typeof(j.v -> 'timeout_seconds') IS NULL OR jsonb_typeof(j.v -> 'timeout_seconds') = 'null' THEN true
                              WHEN jsonb_typeof(j.v -> 'timeout_seconds') IN ('number', 'string') AND (j.v ->> 'timeout_seconds') ~ '^\s*-?[0-9]{1,19}\s*$'
                                   THEN (j.v ->> 'timeout_seconds')::numeric BETWEEN 1 AND 2147483647
                              ELSE false END THEN 'timeout_seconds must be a number of seconds greater than 0'
                WHEN jsonb_typeof(j.v -> 'required_tags') NOT IN ('string', 'null') OR length(j.v ->> 'required_tags') > 4000
                     THEN 'required_tags must be text of up to 4,000 characters'
            END AS problem) AS c
     WHERE c.problem IS NOT NULL
     ORDER BY j.n
     LIMIT 1;
    IF v_bad.n IS NOT NULL THEN
        PERFORM internal.raise_error(51001, '@executions', v_bad.v::text, format('row %s %s', v_bad.n, v_bad.problem));
    END IF;

    IF COALESCE((SELECT mp.property_value FROM internal.master_properties AS mp WHERE mp.property_name = 'IS_SCALEOUT_ENABLED'), '') <> 'TRUE' THEN
        PERFORM internal.raise_error(51213);
    END IF;

    -- The rows, their names as the catalog spells them (found without regard to case), their ids:
    -- drawn here in the order of the rows (PostgreSQL evaluates a volatile output column after the
    -- ORDER BY), before the checks — a refused batch leaves a gap in the ids, as a rolled-back
    -- insert does; assigning them in a second pass over the rows was a fifth of a batch's time.
    CREATE TEMPORARY TABLE IF NOT EXISTS start_executions_rows (
        n bigint PRIMARY KEY, execution_id bigint, folder_id bigint, folder_name text, project_id bigint,
        project_name text, lsn bigint, package_name text, entry_point boolean, package_timeout integer,
        reference_id bigint, reference_type char(1), reference_project_id bigint, environment_folder text,
        environment_name text, use32bitruntime boolean, useanyworker boolean, priority integer,
        required_tags text, timeout_seconds integer
    ) ON COMMIT DELETE ROWS;
    TRUNCATE start_executions_rows;
    INSERT INTO start_executions_rows
    SELECT j.n, nextval(pg_get_serial_sequence('internal.operations', 'operation_id')), f.folder_id, COALESCE(f.name, j.v ->> 'folder_name'), p.project_id,
           COALESCE(p.name, j.v ->> 'project_name'), p.object_version_lsn, COALESCE(pk.name, j.v ->> 'package_name'),
           pk.entry_point, pk.timeout_seconds, (j.v ->> 'reference_id')::bigint, r.reference_type, r.project_id,
           COALESCE(r.environment_folder_name, f.name), r.environment_name,
           COALESCE(internal.bit_value(j.v ->> 'use32bitruntime'), false), COALESCE(internal.bit_value(j.v ->> 'useanyworker'), true),
           COALESCE((j.v ->> 'priority')::integer, 0), internal.normalize_tags(j.v ->> 'required_tags'),
           (j.v ->> 'timeout_seconds')::integer
      FROM jsonb_array_elements(executions) WITH ORDINALITY AS j (v, n)
      LEFT JOIN internal.folders AS f ON lower(f.name) = lower(j.v ->> 'folder_name')
      LEFT JOIN internal.projects AS p ON p.folder_id = f.folder_id AND lower(p.name) = lower(j.v ->> 'project_name')
      LEFT JOIN internal.packages AS pk ON pk.project_version_lsn = p.object_version_lsn AND lower(pk.name) = lower(j.v ->> 'package_name')
      LEFT JOIN internal.environment_references AS r ON r.reference_id = (j.v ->> 'reference_id')::bigint
     ORDER BY j.n;
    GET DIAGNOSTICS v_count = ROW_COUNT;

    -- The first row whose folder, project, package or reference is wrong, in that order.
    SELECT * INTO v_bad FROM start_executions_rows AS s
     WHERE s.folder_id IS NULL OR s.project_id IS NULL OR s.entry_point IS NOT TRUE
        OR (s.reference_id IS NOT NULL AND s.reference_project_id IS DISTINCT FROM s.project_id)
     ORDER BY s.n
     LIMIT 1;
    IF v_bad.n IS NOT NULL THEN
        IF v_bad.folder_id IS NULL THEN
            PERFORM internal.raise_error(51103, v_bad.folder_name);
        ELSIF v_bad.project_id IS NULL THEN
            PERFORM internal.raise_error(51104, v_bad.project_name, v_bad.folder_name);
        END IF;
        PERFORM internal.require_permission(2, v_bad.project_id, 1, format('project ''%s'' in folder ''%s''', v_bad.project_name, v_bad.folder_name));
        IF v_bad.entry_point IS NULL THEN
            PERFORM internal.raise_error(51105, v_bad.package_name, v_bad.project_name, v_bad.folder_name);
        ELSIF NOT v_bad.entry_point THEN
            PERFORM internal.raise_error(51205, v_bad.package_name);
        END IF;
        PERFORM internal.raise_error(51112, v_bad.reference_id::text,
            format(' for project ''%s'' in folder ''%s'' (row %s)', v_bad.project_name, v_bad.folder_name, v_bad.n));
    END IF;
    -- READ and EXECUTE on each project, in the order the rows name them.
    FOR v_project IN
        SELECT s.project_id, min(s.project_name) AS project_name, min(s.folder_name) AS folder_name
          FROM start_executions_rows AS s
         GROUP BY s.project_id
         ORDER BY min(s.n)
    LOOP
        PERFORM internal.require_permission(2, v_project.project_id, 1, format('project ''%s'' in folder ''%s''', v_project.project_name, v_project.folder_name));
        PERFORM internal.require_permission(2, v_project.project_id, 3, format('project ''%s'' in folder ''%s''', v_project.project_name, v_project.folder_name));
    END LOOP;

    SELECT cp.property_value INTO v_logging_level
      FROM internal.catalog_properties AS cp
     WHERE cp.property_name = 'SERVER_LOGGING_LEVEL';

    -- Create and queue; table order: operations, executions, execution_parameter_values, tasks
    INSERT INTO internal.operations
           (operation_id, operation_type, created_time, object_type, object_id, object_name, status, start_time,
            caller_name, server_name, machine_name)
    SELECT s.execution_id, 200, v_now, 20, s.project_id, s.project_name, 5, v_now, session_user, current_database(), ''
      FROM start_executions_rows AS s
     ORDER BY s.n;

    INSERT INTO internal.executions
           (execution_id, folder_name, project_name, package_name, reference_id, reference_type, environment_folder_name,
            environment_name, project_lsn, executed_as_name,
            use32bitruntime, run_in_scaleout, use_any_worker, priority, required_tags, timeout_seconds,
            default_logging_level)
    SELECT s.execution_id, s.folder_name, s.project_name, s.package_name, s.reference_id, s.reference_type, s.environment_folder,
           s.environment_name, s.lsn, session_user,
           s.use32bitruntime, true, s.useanyworker, s.priority, s.required_tags, COALESCE(s.timeout_seconds, s.package_timeout),
           COALESCE(v_logging_level, '1')
      FROM start_executions_rows AS s
     ORDER BY s.n;

    INSERT INTO internal.execution_parameter_values
           (execution_id, object_type, parameter_data_type, parameter_name, parameter_value, sensitive, required, value_set,
            referenced_variable_name)
    SELECT s.execution_id, p.object_type, p.data_type, p.parameter_name, p.value, p.sensitive, p.required,
           p.value IS NOT NULL, p.referenced_variable_name
      FROM start_executions_rows AS s
     CROSS JOIN LATERAL internal.new_execution_parameters(s.lsn, s.package_name) AS p;

    -- Referenced parameters take their environment's variables (one call per such execution).
    FOR v_referencing IN
        SELECT s.execution_id FROM start_executions_rows AS s WHERE s.environment_name IS NOT NULL ORDER BY s.n
    LOOP
        CALL internal.resolve_environment_values(v_referencing);
    END LOOP;

    SELECT s.n, string_agg(pv.parameter_name, ', ' ORDER BY pv.object_type, pv.parameter_name) AS missing INTO v_bad
      FROM start_executions_rows AS s
      JOIN internal.execution_parameter_values AS pv ON pv.execution_id = s.execution_id
     WHERE pv.required AND NOT pv.value_set
     GROUP BY s.n
     ORDER BY s.n
     LIMIT 1;
    IF v_bad.n IS NOT NULL THEN
        PERFORM internal.raise_error(51209, 'in row ' || v_bad.n::text, v_bad.missing);
    END IF;

    INSERT INTO internal.tasks
           (task_id, execution_id, status, priority, max_executed_count, ready_at, use_any_worker, required_tags,
            created_time, last_updated_time)
    SELECT gen_random_uuid(), s.execution_id, 1, s.priority, retry_count + 1, v_now, s.useanyworker, s.required_tags,
           v_now, v_now
      FROM start_executions_rows AS s
     ORDER BY s.n;

    SELECT array_agg(s.execution_id ORDER BY s.n) INTO execution_ids FROM start_executions_rows AS s;
    TRUNCATE start_executions_rows;

    -- One wake-up for the batch: "targeted" passes it from poll to poll, so every waiting master looks.
    PERFORM pg_notify('scaleout_tasks', 'targeted batch of ' || v_count::text);
END;
$$;
