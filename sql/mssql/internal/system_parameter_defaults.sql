SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.system_parameter_defaults
    SSIS's system parameters of an execution (object type 50), each with its place (1 to 6) and the
    value an execution has until catalog.set_execution_parameter_value sets it: LOGGING_LEVEL the
    one given (the catalog's SERVER_LOGGING_LEVEL when the execution was created; 1, Basic, when
    unset), DUMP_ON_ERROR, DUMP_ON_EVENT, DUMP_EVENT_CODE, CALLER_INFO and SYNCHRONIZED. These
    values are not stored (internal.execution_parameters). An inline table-valued function: the
    optimizer expands it in place.
    Callers: internal.execution_parameters, catalog.set_execution_parameter_value.
*/
CREATE OR ALTER FUNCTION internal.system_parameter_defaults (
    @logging_level nvarchar(4000) = NULL
)
RETURNS TABLE
WITH SCHEMABINDING
AS
RETURN (
    SELECT
        CONVERT(smallint, s.ordinal) AS ordinal,
        CONVERT(nvarchar(128), s.data_type) AS data_type,
        CONVERT(nvarchar(128), s.name) AS name,
        CONVERT(nvarchar(max), s.value) AS value
    FROM (
        VALUES
        (1, N'Int32', N'LOGGING_LEVEL', COALESCE(@logging_level, N'1')),
        (2, N'Boolean', N'DUMP_ON_ERROR', N'0'),
        (3, N'Boolean', N'DUMP_ON_EVENT', N'0'),
        (4, N'String', N'DUMP_EVENT_CODE', N'0'),
        (5, N'String', N'CALLER_INFO', NULL),
        (6, N'Boolean', N'SYNCHRONIZED', N'0')
    ) AS s (ordinal, data_type, name, value)
);
GO
