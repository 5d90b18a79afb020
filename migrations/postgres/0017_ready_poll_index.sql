-- 0017_ready_poll_index
-- The masters' shared poll for tasks that became ready (internal.count_newly_ready_tasks, every
-- DispatchPollIntervalInMs while a claim waits) seeks the ready tasks by the time they became
-- ready. No index had ready_at first, so each poll read every queued task: on a backlog of 100,000
-- ready tasks that no waiting worker may take (other workers' tags, chosen workers) a poll took
-- ~10 ms, a twentieth of a core at the default interval, and grew with the backlog. With
-- ix_tasks_ready_at it reads the tasks of the last interval only (~0.3 ms). A claim leaves status 1,
-- so its update writes no entry here; a start writes one (no measurable change to a batch of 10,000).
-- Released steps are never edited: fix forward with a new step.

CREATE INDEX ix_tasks_ready_at ON internal.tasks (ready_at) WHERE status = 1;
