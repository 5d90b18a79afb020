SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0017_ready_poll_index
-- The masters' shared poll for tasks that became ready (internal.count_newly_ready_tasks, every
-- DispatchPollIntervalInMs while a claim waits) seeks the ready tasks by the time they became
-- ready. ix_tasks_ready_queue carries ready_at only as an included column, so each poll read every
-- queued task: its cost grew with the backlog, also when no waiting worker may take any of it. With
-- ix_tasks_ready_at (last_updated_time included, for @DelayedOnly) it reads the tasks of the last
-- interval only. A claim leaves status 1, so its update removes the row's entry and adds none; the
-- claim names its own index (ix_tasks_ready_queue), so this one cannot change its plan. (PostgreSQL's
-- step indexes only the retries with a backoff, ix_tasks_delayed_ready: there the claim's plan,
-- made while the table was small, chose an index of every ready task by ready_at.)
-- Released steps are never edited: fix forward with a new step.

CREATE INDEX ix_tasks_ready_at ON internal.tasks (ready_at) INCLUDE (last_updated_time) WHERE status = 1;
GO
