-- internal.execution_status
-- An execution's status (catalog.executions.status): what catalog.start_execution polls while
-- SYNCHRONIZED holds it. NULL when there is no such execution.
-- Callers: catalog.start_execution.
CREATE OR REPLACE FUNCTION internal.execution_status(
    execution_id bigint
)
RETURNS integer
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT o.status
      FROM internal.operations AS o
      JOIN internal.executions AS e ON e.execution_id = o.operation_id
     WHERE o.operation_id = execution_status.execution_id;
$$;
