SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.default_system_parameters
    SSIS's six system parameters as an execution has them until they are set: place (1 to 6, part
    of the id internal.execution_parameters gives such a row), data type, name, and default value.
    LOGGING_LEVEL has none here: it starts at the catalog's SERVER_LOGGING_LEVEL when the execution
    is created (executions.default_logging_level).
    Readers: internal.execution_parameters.
*/
CREATE OR ALTER VIEW internal.default_system_parameters
AS
SELECT
    s.ordinal,
    CONVERT(nvarchar(128), s.data_type) AS data_type,
    CONVERT(nvarchar(128), s.name) AS name,
    CONVERT(nvarchar(max), s.value) AS value
FROM (
    VALUES
    (1, N'Int32', N'LOGGING_LEVEL', NULL),
    (2, N'Boolean', N'DUMP_ON_ERROR', N'0'),
    (3, N'Boolean', N'DUMP_ON_EVENT', N'0'),
    (4, N'String', N'DUMP_EVENT_CODE', N'0'),
    (5, N'String', N'CALLER_INFO', NULL),
    (6, N'Boolean', N'SYNCHRONIZED', N'0')
) AS s (ordinal, data_type, name, value);
GO
