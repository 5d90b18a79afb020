-- 0017_ready_poll_index
-- The masters' shared poll for retries whose backoff ran out (internal.count_newly_ready_tasks with
-- DelayedOnly, every DispatchPollIntervalInMs while a claim waits) seeks them by the time they
-- became ready. No index had ready_at first, so each poll read every queued task: on a backlog of
-- 100,000 ready tasks that no waiting worker may take (other workers' tags, chosen workers) a poll
-- took ~10 ms, a twentieth of a core at the default interval, and grew with the backlog; now it
-- reads the retries of the last interval only (~0.3–0.5 ms).
-- Only a retry with a backoff has an entry (ready later than its requeue): a start writes none, and
-- the claim cannot use this index — an index of every ready task by ready_at was chosen by the
-- claim's plan made while the table was small, which then read every ready task and sorted them.
-- Released steps are never edited: fix forward with a new step.

CREATE INDEX ix_tasks_delayed_ready ON internal.tasks (ready_at) WHERE status = 1 AND ready_at > last_updated_time;
