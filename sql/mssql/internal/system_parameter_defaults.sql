SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.system_parameter_defaults
    SSIS's system parameters of an execution (object type 50) and the values a new execution takes:
    LOGGING_LEVEL from the catalog's SERVER_LOGGING_LEVEL (1, Basic, when unset), DUMP_ON_ERROR,
    DUMP_ON_EVENT, DUMP_EVENT_CODE, CALLER_INFO and SYNCHRONIZED. One list for every procedure that
    creates executions. An inline table-valued function: the optimizer expands it in place.
    Callers: catalog.create_execution, catalog.start_executions.
*/
CREATE OR ALTER FUNCTION internal.system_parameter_defaults (
    @logging_level nvarchar(4000) = NULL
)
RETURNS TABLE
WITH SCHEMABINDING
AS
RETURN (
    SELECT
        s.data_type,
        s.name,
        s.value
    FROM (
        VALUES
        (N'Int32', N'LOGGING_LEVEL', COALESCE(@logging_level, N'1')),
        (N'Boolean', N'DUMP_ON_ERROR', N'0'),
        (N'Boolean', N'DUMP_ON_EVENT', N'0'),
        (N'String', N'DUMP_EVENT_CODE', N'0'),
        (N'String', N'CALLER_INFO', NULL),
        (N'Boolean', N'SYNCHRONIZED', N'0')
    ) AS s (data_type, name, value)
);
GO
