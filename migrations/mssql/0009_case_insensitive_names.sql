SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0009_case_insensitive_names
-- On PostgreSQL, folder, project, package and parameter names become case-insensitive, as they are
-- here under SSISDB's case-insensitive database collation (docs/sql-server.md). Nothing to do on
-- SQL Server: this step keeps the two dialects' steps in lockstep.
-- Released steps are never edited: fix forward with a new step.

SELECT 1 AS case_insensitive_names;
GO
