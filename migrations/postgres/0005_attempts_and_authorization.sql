-- 0005_attempts_and_authorization
-- Every request a worker makes is authorized, not only authenticated: each claim records an
-- attempt (internal.task_attempts) with its worker and a stream id the catalog generates and hands
-- only to that worker. A worker renews and completes only its own leases, downloads only the
-- project versions of tasks it holds, and appends log lines only to the streams of its own attempts;
-- the stream id is also the capability the log-writer login (which every worker shares) must show.
-- Refusals are 51403.
-- Released steps are never edited: fix forward with a new step.

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES (51403, 'not_authorized', 'The worker agent {1} is not allowed to {2}.');

CREATE TABLE internal.task_attempts (
    execution_id    bigint       NOT NULL,
    stream_id       uuid         NOT NULL,
    attempt         integer      NOT NULL,
    task_id         uuid         NOT NULL,
    worker_agent_id uuid         NOT NULL,
    lease_token     uuid         NOT NULL,
    claimed_time    timestamptz  NOT NULL,
    ended_time      timestamptz  NULL,
    outcome         varchar(16)  NULL,
    CONSTRAINT pk_task_attempts PRIMARY KEY (execution_id, stream_id),
    CONSTRAINT fk_task_attempts_operations FOREIGN KEY (execution_id) REFERENCES internal.operations (operation_id) ON DELETE CASCADE
);
CREATE INDEX ix_task_attempts_lease_token ON internal.task_attempts (lease_token);

-- Routines that take new parameters or return new columns: the object files create them again
-- after this step (a PL/pgSQL signature cannot change in place).
DROP FUNCTION IF EXISTS internal.claim_tasks(uuid, integer, integer, timestamptz);
DROP PROCEDURE IF EXISTS internal.renew_task_lease(uuid, uuid, integer, timestamptz, boolean, timestamptz);
DROP PROCEDURE IF EXISTS internal.complete_task(uuid, uuid, varchar, text, timestamptz, integer, boolean);
DROP FUNCTION IF EXISTS internal.complete_tasks(text, timestamptz);
DROP FUNCTION IF EXISTS internal.get_project_version(varchar);
DROP PROCEDURE IF EXISTS internal.append_execution_messages(bigint, uuid, text, timestamptz, integer);
