SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.renew_task_lease
    A worker's task heartbeat: extends the lease of the attempt it holds (by @LeaseMs from now) and
    marks the task running (3). Answers @IsCancelled = 1 once a stop was requested: the worker must
    then stop the package and report it canceled. Refused (51302) when the token is no longer the
    task's — the attempt expired and went to another worker, or it ended — and nothing changes.
    With @WorkerAgentId (the master passes the worker whose certificate it checked), only that worker's
    leases count: another worker's lease is refused as a stale token is (51302).
    Caller: the master (scaleout_master), for each task heartbeat. Outputs: @IsCancelled, @ExpiresAt.
    Errors: 51000, 51001, 51302.
*/
CREATE OR ALTER PROCEDURE internal.renew_task_lease
    @TaskId uniqueidentifier = NULL,
    @LeaseToken uniqueidentifier = NULL,
    @LeaseMs int = 60000,
    @WorkerAgentId uniqueidentifier = NULL,
    @now datetimeoffset(7) = NULL,
    @IsCancelled bit = NULL OUTPUT,
    @ExpiresAt datetimeoffset(7) = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @TaskId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@TaskId', NULL, NULL) + N' ';
    IF @LeaseToken IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@LeaseToken', NULL, NULL) + N' ';
    IF @LeaseMs IS NULL OR @LeaseMs NOT BETWEEN 1000 AND 86400000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@LeaseMs', CONVERT(nvarchar(20), @LeaseMs), N'milliseconds from 1000 to 86400000'
            )
            + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @renewed TABLE (is_cancelled bit NOT NULL, lease_expires_at datetimeoffset(7) NOT NULL);

    /* ---------------------------------------- Renew, fenced by the token; table: tasks */
    UPDATE t
    SET
        t.status = 3,
        t.lease_expires_at = DATEADD(MILLISECOND, @LeaseMs, @now),
        t.lease_ms = @LeaseMs,
        t.last_updated_time = @now
    OUTPUT inserted.is_cancelled, inserted.lease_expires_at INTO @renewed (is_cancelled, lease_expires_at)
    FROM internal.tasks AS t
    WHERE
        t.task_id = @TaskId
        AND t.lease_token = @LeaseToken
        AND t.status IN (2, 3)
        AND (@WorkerAgentId IS NULL OR t.worker_agent_id = @WorkerAgentId);

    IF NOT EXISTS (SELECT 1 FROM @renewed)
    BEGIN
        DECLARE @task_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @TaskId));
        DECLARE @token_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @LeaseToken));
        EXEC internal.raise_error @number = 51302, @a1 = @task_text, @a2 = @token_text;
        RETURN 1;
    END;

    SELECT
        @IsCancelled = r.is_cancelled,
        @ExpiresAt = r.lease_expires_at
    FROM @renewed AS r;

    RETURN 0;
END;
GO
