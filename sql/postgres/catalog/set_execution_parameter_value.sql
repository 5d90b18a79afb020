-- catalog.set_execution_parameter_value
-- Sets a parameter of an execution that has not started (status 1): a project parameter
-- (object_type 20), a package parameter (30) or a system parameter (50: LOGGING_LEVEL 0, 1, 2, 3,
-- 4 or 100, CALLER_INFO, DUMP_ON_ERROR, DUMP_ON_EVENT, DUMP_EVENT_CODE, SYNCHRONIZED). The value
-- must fit the parameter's data type; NULL unsets it. A sensitive parameter's value is stored
-- encrypted (internal.protect_value), and at most 3900 characters long.
-- parameter_value is anycompatible, as SSIS's is sql_variant: psql users may pass 20, 2.5, true or
-- '…' as they like; it is read as text and checked against the parameter's data type.
-- Caller: ssis_admin, ssis_cluster_executor.
-- Errors: 51000, 51001 (object type, value), 51404 no protection key for a sensitive value, 51106 no such execution, 51108 no such parameter,
-- 51207 the execution has started.
CREATE OR REPLACE PROCEDURE catalog.set_execution_parameter_value(
    execution_id bigint DEFAULT NULL,
    object_type integer DEFAULT NULL,
    parameter_name varchar(128) DEFAULT NULL,
    parameter_value anycompatible DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_status integer;
    v_data_type text;
    v_sensitive boolean;
    v_name text;
    v_stored boolean;
    v_value text := parameter_value::text;
BEGIN
    -- Check input parameters
    IF execution_id IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@execution_id') || ' ';
    END IF;
    IF object_type IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@object_type') || ' ';
    ELSIF object_type NOT IN (20, 30, 50) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@object_type', object_type::text, '20 (project), 30 (package) or 50 (system parameter)') || ' ';
    END IF;
    IF parameter_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@parameter_name') || ' ';
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

    -- Table order: operations, execution_parameter_values
    SELECT o.status INTO v_status
      FROM internal.operations AS o
      JOIN internal.executions AS e ON e.execution_id = o.operation_id
     WHERE o.operation_id = execution_id
       FOR UPDATE OF o;
    IF v_status IS NULL THEN
        PERFORM internal.raise_error(51106, execution_id::text);
    END IF;
    PERFORM internal.require_permission(4, execution_id, 2, 'execution ' || execution_id::text);
    IF v_status <> 1 THEN
        PERFORM internal.raise_error(51207, execution_id::text, v_status::text);
    END IF;

    -- A system parameter at its default has no row yet (internal.execution_parameters).
    SELECT pv.parameter_data_type, pv.sensitive, pv.parameter_name, pv.stored INTO v_data_type, v_sensitive, v_name, v_stored
      FROM internal.execution_parameters AS pv
     WHERE pv.execution_id = execution_id AND pv.object_type = object_type AND lower(pv.parameter_name) = lower(parameter_name);
    IF v_data_type IS NULL THEN
        PERFORM internal.raise_error(51108, execution_id::text, parameter_name, object_type::text);
    END IF;
    IF v_data_type = 'Boolean' AND v_value IS NOT NULL THEN
        v_value := CASE lower(btrim(v_value)) WHEN 'true' THEN '1' WHEN 'false' THEN '0' ELSE btrim(v_value) END;
    END IF;
    IF NOT internal.is_valid_parameter_value(v_data_type, v_value)
       OR (object_type = 50 AND v_name = 'LOGGING_LEVEL' AND v_value NOT IN ('0', '1', '2', '3', '4', '100')) THEN
        -- A refused sensitive value is not repeated in the message either.
        PERFORM internal.raise_error(51001, '@parameter_value', CASE WHEN v_sensitive THEN '********' ELSE v_value END,
                                     CASE WHEN v_name = 'LOGGING_LEVEL' AND object_type = 50
                                          THEN 'a logging level: 0, 1, 2, 3, 4 or 100'
                                          ELSE 'a value of type ' || v_data_type END);
    END IF;
    IF v_sensitive AND length(v_value) > 3900 THEN
        PERFORM internal.raise_error(51001, '@parameter_value', '********', 'a sensitive value of at most 3900 characters');
    END IF;
    IF v_sensitive AND v_value IS NOT NULL THEN
        CALL internal.open_protection_key('a sensitive value of @parameter_value');
        v_value := internal.protect_value(v_value);
        IF v_value IS NULL THEN
            -- The key went away between the check and its use: store nothing rather than NULL.
            PERFORM internal.raise_error(51404, 'a sensitive value of @parameter_value');
        END IF;
    END IF;

    IF v_stored THEN
        UPDATE internal.execution_parameter_values AS pv
           SET parameter_value = v_value,
               value_set = v_value IS NOT NULL,
               runtime_override = true
         WHERE pv.execution_id = execution_id AND pv.object_type = object_type AND lower(pv.parameter_name) = lower(parameter_name);
    ELSE
        INSERT INTO internal.execution_parameter_values
               (execution_id, object_type, parameter_data_type, parameter_name, parameter_value, sensitive, required,
                value_set, runtime_override)
        VALUES (execution_id, object_type, v_data_type, v_name, v_value, false, false, v_value IS NOT NULL, true);
    END IF;
END;
$$;
