SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0016_lighter_dispatch_writes
-- Fewer index entries written per task claimed and completed:
--   * ix_task_attempts_lease_token goes: every lookup of an attempt names its execution too, which
--     the primary key (execution_id, stream_id) finds (an execution has a few attempts at most);
--   * retention finds the operations due by their creation time (ix_operations_created_time, never
--     updated) instead of their end time: an operation that ended before the cutoff was created
--     before it, so none is missed. ix_operations_end_time had to be written by every update that
--     ends an operation. (PostgreSQL's step also leaves room in its pages for updates in place;
--     SQL Server updates a row of fixed size in place already.)
-- Released steps are never edited: fix forward with a new step.

DROP INDEX IF EXISTS ix_task_attempts_lease_token ON internal.task_attempts;
GO
DROP INDEX IF EXISTS ix_operations_end_time ON internal.operations;
GO
CREATE INDEX ix_operations_created_time ON internal.operations (created_time);
GO
