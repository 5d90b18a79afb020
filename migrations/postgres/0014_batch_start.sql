-- 0014_batch_start
-- On SQL Server this step creates catalog.execution_requests, the table type that
-- catalog.start_executions takes. PostgreSQL's catalog.start_executions takes a JSON array instead
-- (psql has no table-valued parameters), so this dialect has nothing to create: the step exists
-- to keep both dialects' step numbers in lockstep, as every step does.
-- Released steps are never edited: fix forward with a new step.
SELECT 1;
