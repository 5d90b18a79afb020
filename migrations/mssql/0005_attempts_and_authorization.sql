SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0005_attempts_and_authorization
-- Every request a worker makes is authorized, not only authenticated: each claim records an
-- attempt (internal.task_attempts) with its worker and a stream id the catalog generates and hands
-- only to that worker. A worker renews and completes only its own leases, downloads only the
-- project versions of tasks it holds, and appends log lines only to the streams of its own attempts;
-- the stream id is also the capability the log-writer login (which every worker shares) must show.
-- Refusals are 51403.
-- Released steps are never edited: fix forward with a new step.

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES (51403, 'not_authorized', N'The worker agent {1} is not allowed to {2}.');
GO

CREATE TABLE internal.task_attempts (
    execution_id bigint NOT NULL,
    stream_id uniqueidentifier NOT NULL,
    attempt int NOT NULL,
    task_id uniqueidentifier NOT NULL,
    worker_agent_id uniqueidentifier NOT NULL,
    lease_token uniqueidentifier NOT NULL,
    claimed_time datetimeoffset(7) NOT NULL,
    ended_time datetimeoffset(7) NULL,
    outcome varchar(16) NULL,
    CONSTRAINT pk_task_attempts PRIMARY KEY CLUSTERED (execution_id, stream_id),
    CONSTRAINT fk_task_attempts_operations FOREIGN KEY (execution_id)
    REFERENCES internal.operations (operation_id) ON DELETE CASCADE
);
GO
CREATE INDEX ix_task_attempts_lease_token ON internal.task_attempts (lease_token);
GO

-- internal.claim_tasks, renew_task_lease, complete_task, complete_tasks, get_project_version and
-- append_execution_messages take new parameters or return new columns; CREATE OR ALTER in their
-- object files changes them in place.
