SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.execution_status
    An execution's status (catalog.executions.status), read without waiting on a lock: what
    catalog.start_execution polls while SYNCHRONIZED holds it. NULL when there is no such execution.
    Callers: catalog.start_execution.
*/
CREATE OR ALTER FUNCTION internal.execution_status (
    @execution_id bigint
)
RETURNS int
AS
BEGIN
    RETURN (
        SELECT o.status
        FROM internal.operations AS o
        INNER JOIN internal.executions AS e
            ON e.execution_id = o.operation_id
        WHERE o.operation_id = @execution_id
    );
END;
GO
