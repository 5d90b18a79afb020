-- internal.default_system_parameters
-- SSIS's six system parameters as an execution has them until they are set: place (1 to 6, part
-- of the id internal.execution_parameters gives such a row), data type, name, and default value.
-- LOGGING_LEVEL has none here: it starts at the catalog's SERVER_LOGGING_LEVEL when the execution
-- is created (executions.default_logging_level).
-- Readers: internal.execution_parameters, internal.claim_tasks.
CREATE OR REPLACE VIEW internal.default_system_parameters AS
SELECT s.ordinal, s.data_type::varchar(128) AS data_type, s.name::varchar(128) AS name, s.value
  FROM (VALUES (1, 'Int32', 'LOGGING_LEVEL', NULL),
               (2, 'Boolean', 'DUMP_ON_ERROR', '0'),
               (3, 'Boolean', 'DUMP_ON_EVENT', '0'),
               (4, 'String', 'DUMP_EVENT_CODE', '0'),
               (5, 'String', 'CALLER_INFO', NULL),
               (6, 'Boolean', 'SYNCHRONIZED', '0')) AS s (ordinal, data_type, name, value);
