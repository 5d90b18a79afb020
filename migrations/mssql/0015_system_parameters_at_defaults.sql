SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0015_system_parameters_at_defaults
-- An execution's system parameters (object type 50) are stored as rows only once
-- catalog.set_execution_parameter_value sets them; until then they are their defaults, which
-- need no row: internal.execution_parameters (and so catalog.execution_parameter_values and the
-- claim) gives them from their defaults and the LOGGING_LEVEL the execution took from
-- SERVER_LOGGING_LEVEL when it was created, kept in executions.default_logging_level.
-- Six rows per execution were half of what creating one wrote. Executions created before this
-- step keep their six rows and have no default_logging_level: nothing is added for them.
-- internal.system_parameter_defaults goes (the view lists the six), and
-- internal.new_execution_parameters loses its logging level (the objects step alters it).
-- Released steps are never edited: fix forward with a new step.

ALTER TABLE internal.executions ADD default_logging_level nvarchar(16) NULL;
GO

DROP FUNCTION IF EXISTS internal.system_parameter_defaults;
GO
