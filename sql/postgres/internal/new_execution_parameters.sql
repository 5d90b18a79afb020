-- internal.new_execution_parameters
-- The parameter values a new execution of a package takes: the project's parameters (20) and the
-- package's own (30) — the server default when one was set (value_type 'V'), else the design
-- default unless the parameter is required (a required one stays unset until a value or its
-- environment gives one). The system parameters (50) are not stored until they are set
-- (internal.execution_parameters). One rule for every procedure that creates executions; a plain SQL function, so that PostgreSQL
-- inlines it (also under LATERAL, once per row of a batch).
-- Callers: catalog.create_execution, catalog.start_executions.
CREATE OR REPLACE FUNCTION internal.new_execution_parameters(
    project_version_lsn bigint DEFAULT NULL,
    package_name varchar(260) DEFAULT NULL
)
RETURNS TABLE (
    object_type smallint,
    data_type varchar(128),
    parameter_name varchar(128),
    value text,
    sensitive boolean,
    required boolean,
    referenced_variable_name varchar(128)
)
LANGUAGE sql
STABLE
AS $$
    SELECT op.object_type, op.data_type, op.parameter_name,
           CASE WHEN op.value_type = 'V' THEN op.default_value
                WHEN NOT op.required THEN op.design_default_value END,
           op.sensitive, op.required, op.referenced_variable_name
      FROM internal.object_parameters AS op
     WHERE op.project_version_lsn = new_execution_parameters.project_version_lsn
       AND (op.object_type = 20 OR (op.object_type = 30 AND op.object_name = new_execution_parameters.package_name));
$$;
