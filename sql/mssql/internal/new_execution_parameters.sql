SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.new_execution_parameters
    The parameter values a new execution of a package takes: the project's parameters (20) and the
    package's own (30) — the server default when one was set (value_type 'V'), else the design
    default unless the parameter is required (a required one stays unset until a value or its
    environment gives one). The system parameters (50) are not stored until they are set
    (internal.execution_parameters). One rule for every procedure that creates executions; an inline table-valued function, so that
    the optimizer expands it in place (also under CROSS APPLY, once per row of a batch). Not schema
    bound: that would stop later steps from altering internal.object_parameters.
    Callers: catalog.create_execution, catalog.start_executions.
*/
CREATE OR ALTER FUNCTION internal.new_execution_parameters (
    @project_version_lsn bigint = NULL,
    @package_name nvarchar(4000) = NULL
)
RETURNS TABLE
AS
RETURN (
    SELECT
        op.object_type,
        op.data_type,
        op.parameter_name,
        CASE
            WHEN op.value_type = 'V' THEN op.default_value
            WHEN op.required = 0 THEN op.design_default_value
        END AS value,
        op.sensitive,
        op.required,
        op.referenced_variable_name
    FROM internal.object_parameters AS op
    WHERE
        op.project_version_lsn = @project_version_lsn
        AND (op.object_type = 20 OR (op.object_type = 30 AND op.object_name = @package_name))
);
GO
