-- internal.system_parameter_defaults
-- SSIS's system parameters of an execution (object type 50), each with its place (1 to 6) and the
-- value an execution has until catalog.set_execution_parameter_value sets it: LOGGING_LEVEL the
-- one given (the catalog's SERVER_LOGGING_LEVEL when the execution was created; 1, Basic, when
-- unset), DUMP_ON_ERROR, DUMP_ON_EVENT, DUMP_EVENT_CODE, CALLER_INFO and SYNCHRONIZED. These
-- values are not stored (internal.execution_parameters).
-- Callers: internal.execution_parameters, catalog.set_execution_parameter_value.
CREATE OR REPLACE FUNCTION internal.system_parameter_defaults(
    logging_level text DEFAULT NULL
)
RETURNS TABLE (
    ordinal smallint,
    data_type varchar(128),
    name varchar(128),
    value text
)
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT s.ordinal::smallint, s.data_type::varchar(128), s.name::varchar(128), s.value
      FROM (VALUES (1, 'Int32', 'LOGGING_LEVEL', COALESCE(logging_level, '1')),
                   (2, 'Boolean', 'DUMP_ON_ERROR', '0'),
                   (3, 'Boolean', 'DUMP_ON_EVENT', '0'),
                   (4, 'String', 'DUMP_EVENT_CODE', '0'),
                   (5, 'String', 'CALLER_INFO', NULL),
                   (6, 'Boolean', 'SYNCHRONIZED', '0')) AS s (ordinal, data_type, name, value);
$$;
