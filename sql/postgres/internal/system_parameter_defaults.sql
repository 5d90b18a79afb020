-- internal.system_parameter_defaults
-- SSIS's system parameters of an execution (object type 50) and the values a new execution takes:
-- LOGGING_LEVEL from the catalog's SERVER_LOGGING_LEVEL (1, Basic, when unset), DUMP_ON_ERROR,
-- DUMP_ON_EVENT, DUMP_EVENT_CODE, CALLER_INFO and SYNCHRONIZED. One list for every procedure that
-- creates executions.
-- Callers: catalog.create_execution, catalog.start_executions.
CREATE OR REPLACE FUNCTION internal.system_parameter_defaults(
    logging_level text DEFAULT NULL
)
RETURNS TABLE (
    data_type varchar(128),
    name varchar(128),
    value text
)
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT s.data_type::varchar(128), s.name::varchar(128), s.value
      FROM (VALUES ('Int32', 'LOGGING_LEVEL', COALESCE(logging_level, '1')),
                   ('Boolean', 'DUMP_ON_ERROR', '0'),
                   ('Boolean', 'DUMP_ON_EVENT', '0'),
                   ('String', 'DUMP_EVENT_CODE', '0'),
                   ('String', 'CALLER_INFO', NULL),
                   ('Boolean', 'SYNCHRONIZED', '0')) AS s (data_type, name, value);
$$;
