SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0004_leases_and_log_streams
-- Leases that hold and log lines delivered exactly once:
--   * each task keeps the length of the lease it was last given (lease_ms): the expired-task sweep
--     gives workers one full lease of a reachable catalog before it expires anything;
--   * ready tasks are taken in the order they were first queued (task_seq), so a retry keeps its
--     place in the queue; ix_tasks_ready_queue replaces ix_tasks_ready and carries the columns the
--     claim filters on, so a candidate is rejected from the index row, without a key lookup;
--   * log lines carry a sequence number per stream (one stream per attempt, written ahead on the
--     worker's disk); internal.message_streams keeps the highest number stored, and a line sent
--     again after a crash or a lost answer is recognised by it and stored once.
-- Released steps are never edited: fix forward with a new step.

ALTER TABLE internal.tasks ADD lease_ms int NOT NULL CONSTRAINT df_tasks_lease_ms DEFAULT (60000);
GO
ALTER TABLE internal.tasks ADD CONSTRAINT ck_tasks_lease_ms CHECK (lease_ms BETWEEN 1000 AND 86400000);
GO

DROP INDEX ix_tasks_ready ON internal.tasks;
GO
CREATE INDEX ix_tasks_ready_queue ON internal.tasks (priority DESC, task_seq)
INCLUDE (ready_at, execution_id, use_any_worker, avoid_worker_agent_id, avoid_until, required_tags)
WHERE status = 1;
GO
-- The sweep finds stop requests a worker never answered with a seek of its own (it used to be an OR
-- beside the expired leases, which defeated the seek on ix_tasks_leased).
CREATE INDEX ix_tasks_cancel_pending ON internal.tasks (cancel_requested_at) WHERE status IN (2, 3) AND is_cancelled = 1;
GO

CREATE TABLE internal.message_streams (
    operation_id bigint NOT NULL,
    stream_id uniqueidentifier NOT NULL,
    last_sequence bigint NOT NULL,
    updated_time datetimeoffset(7) NOT NULL,
    CONSTRAINT pk_message_streams PRIMARY KEY CLUSTERED (operation_id, stream_id),
    CONSTRAINT fk_message_streams_operations FOREIGN KEY (operation_id)
    REFERENCES internal.operations (operation_id) ON DELETE CASCADE
);
GO

-- internal.dealwith_expired_tasks and internal.update_worker_agent_status take new parameters;
-- CREATE OR ALTER in their object files changes them in place.
