-- internal.execution_parameters
-- Every parameter value of every execution: the stored rows (internal.execution_parameter_values:
-- project and package parameters, and the system parameters that were set), and the system
-- parameters an execution still has at their defaults, which are not stored
-- (internal.system_parameter_defaults, LOGGING_LEVEL from executions.default_logging_level).
-- Such a parameter's execution_parameter_id is -(execution_id * 8 + its place): unique, and the
-- same on every read; catalog.set_execution_parameter_value stores the row, with an id of its own.
-- Executions created before step 0015 have all their system parameters stored and no
-- default_logging_level. stored: whether the row is in internal.execution_parameter_values.
-- Readers: catalog.execution_parameter_values, internal.claim_tasks,
-- catalog.set_execution_parameter_value.
CREATE OR REPLACE VIEW internal.execution_parameters AS
SELECT pv.execution_parameter_id,
       pv.execution_id,
       pv.object_type,
       pv.parameter_data_type,
       pv.parameter_name,
       pv.parameter_value,
       pv.sensitive,
       pv.required,
       pv.value_set,
       pv.runtime_override,
       true AS stored
  FROM internal.execution_parameter_values AS pv
UNION ALL
SELECT -(e.execution_id * 8 + s.ordinal),
       e.execution_id,
       50::smallint,
       s.data_type,
       s.name,
       s.value,
       false,
       false,
       s.value IS NOT NULL,
       false,
       false
  FROM internal.executions AS e
 CROSS JOIN LATERAL internal.system_parameter_defaults(e.default_logging_level) AS s
 WHERE e.default_logging_level IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM internal.execution_parameter_values AS x
                    WHERE x.execution_id = e.execution_id AND x.object_type = 50
                      AND lower(x.parameter_name) = lower(s.name));
