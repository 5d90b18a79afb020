-- internal.resolve_environment_values
-- Gives an execution's referenced parameters (those whose server default is an environment
-- variable, value_type 'R') the values of the variables in the environment the execution was
-- created with; a parameter set with set_execution_parameter_value keeps its value. Refused, with
-- nothing changed, when the environment does not exist any more (51113), a variable is missing
-- (51218), is of another type than its parameter (51217), or is sensitive and its parameter is not
-- (51219): a sensitive value never reaches a parameter that shows it. A variable that is not
-- sensitive, taken by a sensitive parameter, is stored encrypted. An execution without an
-- environment is left as it is.
-- Callers: catalog.create_execution (the values then) and internal.start_execution_now (the
-- values when it starts), inside their transactions.
-- The caller needs READ on the environment (51405).
-- Errors: 51000, 51113, 51217, 51218, 51219, 51404, 51405.
CREATE OR REPLACE PROCEDURE internal.resolve_environment_values(
    execution_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_folder text;
    v_name text;
    v_environment_id bigint;
    v_problem record;
BEGIN
    -- Check input parameters
    IF execution_id IS NULL THEN
        PERFORM internal.raise_error(51000, '@execution_id');
    END IF;

    SELECT e.environment_folder_name, e.environment_name INTO v_folder, v_name
      FROM internal.executions AS e
     WHERE e.execution_id = execution_id;
    IF v_name IS NULL THEN
        RETURN;
    END IF;
    -- Shared lock: the environment cannot be deleted or moved while its values are taken.
    SELECT en.environment_id INTO v_environment_id
      FROM internal.environments AS en
      JOIN internal.folders AS f ON f.folder_id = en.folder_id
     WHERE lower(f.name) = lower(v_folder) AND lower(en.name) = lower(v_name)
       FOR SHARE OF en;
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51113, format('"%s" in folder "%s"', v_name, v_folder), 'execution ' || execution_id::text);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 1, format('environment ''%s'' in folder ''%s''', v_name, v_folder));

    SELECT pv.parameter_name, pv.parameter_data_type, pv.sensitive, pv.referenced_variable_name,
           ev.variable_id, ev.name AS variable_name, ev.type AS variable_type, ev.sensitive AS variable_sensitive
      INTO v_problem
      FROM internal.execution_parameter_values AS pv
      LEFT JOIN internal.environment_variables AS ev
        ON ev.environment_id = v_environment_id AND lower(ev.name) = lower(pv.referenced_variable_name)
     WHERE pv.execution_id = execution_id AND pv.referenced_variable_name IS NOT NULL AND NOT pv.runtime_override
       AND (ev.variable_id IS NULL OR ev.type <> pv.parameter_data_type OR (ev.sensitive AND NOT pv.sensitive))
     ORDER BY pv.object_type, pv.parameter_name
     LIMIT 1;
    IF v_problem.parameter_name IS NOT NULL THEN
        IF v_problem.variable_id IS NULL THEN
            PERFORM internal.raise_error(51218, v_problem.parameter_name, v_problem.referenced_variable_name,
                                         format('"%s" in folder "%s"', v_name, v_folder));
        ELSIF v_problem.variable_type <> v_problem.parameter_data_type THEN
            PERFORM internal.raise_error(51217, v_problem.parameter_name, v_problem.parameter_data_type,
                                         format('%s is %s', v_problem.variable_name, v_problem.variable_type));
        ELSE
            PERFORM internal.raise_error(51219, v_problem.parameter_name, v_problem.variable_name);
        END IF;
    END IF;

    IF EXISTS (SELECT 1
                 FROM internal.execution_parameter_values AS pv
                 JOIN internal.environment_variables AS ev
                   ON ev.environment_id = v_environment_id AND lower(ev.name) = lower(pv.referenced_variable_name)
                WHERE pv.execution_id = execution_id AND NOT pv.runtime_override
                  AND pv.sensitive AND NOT ev.sensitive AND ev.value IS NOT NULL) THEN
        CALL internal.open_protection_key('a sensitive parameter''s value');
    END IF;

    -- Table: execution_parameter_values
    UPDATE internal.execution_parameter_values AS pv
       SET parameter_value = CASE WHEN pv.sensitive AND NOT ev.sensitive THEN internal.protect_value(ev.value) ELSE ev.value END,
           value_set = ev.value IS NOT NULL
      FROM internal.environment_variables AS ev
     WHERE pv.execution_id = execution_id AND pv.referenced_variable_name IS NOT NULL AND NOT pv.runtime_override
       AND ev.environment_id = v_environment_id AND lower(ev.name) = lower(pv.referenced_variable_name);
END;
$$;
