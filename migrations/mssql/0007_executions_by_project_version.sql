SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0007_executions_by_project_version
-- Every deployment asks which executions still use each project version (deploy_project keeps
-- those beyond MAX_PROJECT_VERSIONS): an index instead of a scan of every execution.
-- Released steps are never edited: fix forward with a new step.

CREATE INDEX ix_executions_project_lsn ON internal.executions (project_lsn);
GO
