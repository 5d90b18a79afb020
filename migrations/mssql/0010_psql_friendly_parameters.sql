-- 0010_psql_friendly_parameters
-- On PostgreSQL this step lets psql users pass bit and sql_variant parameters as they type them
-- (1 or true, 20 without a cast). SQL Server converts such arguments by itself, and its hints
-- already name T-SQL calls: nothing changes in this dialect. The step exists so that both dialects
-- keep the same list of steps.
-- Released steps are never edited: fix forward with a new step.
SELECT 1 AS nothing_to_change;
