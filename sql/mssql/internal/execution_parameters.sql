SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.execution_parameters
    Every parameter value of every execution: the stored rows (internal.execution_parameter_values:
    project and package parameters, and the system parameters that were set), and the system
    parameters an execution still has at their defaults, which are not stored: SSIS's six
    (internal.default_system_parameters); LOGGING_LEVEL starts at the catalog's SERVER_LOGGING_LEVEL
    when the execution was created (executions.default_logging_level), the others as SSIS's do.
    Such a parameter's execution_parameter_id is -(execution_id * 8 + its place): unique, and the
    same on every read; catalog.set_execution_parameter_value stores the row, with an id of its own.
    Executions created before step 0015 have all their system parameters stored and no
    default_logging_level. stored: whether the row is in internal.execution_parameter_values.
    Readers: catalog.execution_parameter_values, internal.claim_tasks,
    catalog.set_execution_parameter_value.
*/
CREATE OR ALTER VIEW internal.execution_parameters
AS
SELECT
    pv.execution_parameter_id,
    pv.execution_id,
    pv.object_type,
    pv.parameter_data_type,
    pv.parameter_name,
    pv.parameter_value,
    pv.sensitive,
    pv.required,
    pv.value_set,
    pv.runtime_override,
    CONVERT(bit, 1) AS stored
FROM internal.execution_parameter_values AS pv
UNION ALL
SELECT
    -(e.execution_id * 8 + s.ordinal),
    e.execution_id,
    CONVERT(smallint, 50),
    s.data_type,
    s.name,
    CASE WHEN s.ordinal = 1 THEN CONVERT(nvarchar(max), e.default_logging_level) ELSE s.value END,
    CONVERT(bit, 0),
    CONVERT(bit, 0),
    CONVERT(bit, CASE WHEN s.ordinal = 1 OR s.value IS NOT NULL THEN 1 ELSE 0 END),
    CONVERT(bit, 0),
    CONVERT(bit, 0)
FROM internal.executions AS e
CROSS JOIN internal.default_system_parameters AS s
WHERE
    e.default_logging_level IS NOT NULL
    AND NOT EXISTS (
        SELECT 1
        FROM internal.execution_parameter_values AS x
        WHERE
            x.execution_id = e.execution_id
            AND x.object_type = 50
            AND x.parameter_name = s.name
    );
GO
