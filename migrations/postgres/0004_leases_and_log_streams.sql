-- 0004_leases_and_log_streams
-- Leases that hold and log lines delivered exactly once:
--   * each task keeps the length of the lease it was last given (lease_ms): the expired-task sweep
--     gives workers one full lease of a reachable catalog before it expires anything;
--   * ready tasks are taken in the order they were first queued (task_seq), so a retry keeps its
--     place in the queue; ix_tasks_ready_queue replaces ix_tasks_ready;
--   * log lines carry a sequence number per stream (one stream per attempt, written ahead on the
--     worker's disk); internal.message_streams keeps the highest number stored, and a line sent
--     again after a crash or a lost answer is recognised by it and stored once.
-- Released steps are never edited: fix forward with a new step.

ALTER TABLE internal.tasks ADD COLUMN lease_ms integer NOT NULL DEFAULT 60000;
ALTER TABLE internal.tasks ADD CONSTRAINT ck_tasks_lease_ms CHECK (lease_ms BETWEEN 1000 AND 86400000);

DROP INDEX internal.ix_tasks_ready;
CREATE INDEX ix_tasks_ready_queue ON internal.tasks (priority DESC, task_seq) WHERE status = 1;
-- The sweep finds stop requests a worker never answered with a seek of its own (it used to be an OR
-- beside the expired leases, which no index could serve).
CREATE INDEX ix_tasks_cancel_pending ON internal.tasks (cancel_requested_at) WHERE status IN (2, 3) AND is_cancelled;

CREATE TABLE internal.message_streams (
    operation_id  bigint      NOT NULL,
    stream_id     uuid        NOT NULL,
    last_sequence bigint      NOT NULL,
    updated_time  timestamptz NOT NULL,
    CONSTRAINT pk_message_streams PRIMARY KEY (operation_id, stream_id),
    CONSTRAINT fk_message_streams_operations FOREIGN KEY (operation_id) REFERENCES internal.operations (operation_id) ON DELETE CASCADE
);

-- Procedures that take new parameters: the object files create them again after this step (a
-- PL/pgSQL signature cannot change in place; CREATE OR REPLACE would add an overload).
DROP PROCEDURE IF EXISTS internal.dealwith_expired_tasks(timestamptz, integer, integer, integer);
DROP PROCEDURE IF EXISTS internal.update_worker_agent_status(uuid, varchar, varchar, varchar, double precision, double precision, integer, timestamptz, boolean);
