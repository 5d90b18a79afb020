SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.dealwith_expired_tasks
    The expired-task sweep (SSIS's DealWithExpiredTasks): attempts whose lease expired — their worker
    died, lost the network or stopped heartbeating — go back to the queue while attempts remain,
    else their execution ends unexpectedly (6); stopped executions whose worker never answered the
    stop within @StopGraceMs are canceled (3). At most @BatchSize tasks per call; rows other
    sessions hold are skipped (READPAST), so it is safe while dispatch runs. Call again while
    @Processed = @BatchSize.
    Caller: the master holding the 'expired_tasks' sweep lease. Output: @Processed.
    Errors: 51001 (@BatchSize, @StopGraceMs).
*/
CREATE OR ALTER PROCEDURE internal.dealwith_expired_tasks
    @now datetimeoffset(7) = NULL,
    @BatchSize int = 1000,
    @StopGraceMs int = 120000,
    @Processed int = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    DECLARE @text nvarchar(20);
    IF @BatchSize IS NULL OR @BatchSize NOT BETWEEN 1 AND 5000
    BEGIN
        SET @text = CONVERT(nvarchar(20), @BatchSize);
        EXEC internal.raise_error @number = 51001, @a1 = N'@BatchSize', @a2 = @text, @a3 = N'from 1 to 5000';
        RETURN 1;
    END;
    IF @StopGraceMs IS NULL OR @StopGraceMs < 0
    BEGIN
        SET @text = CONVERT(nvarchar(20), @StopGraceMs);
        EXEC internal.raise_error @number = 51001, @a1 = N'@StopGraceMs', @a2 = @text, @a3 = N'0 or more milliseconds';
        RETURN 1;
    END;

    SET @now = COALESCE(@now, SYSUTCDATETIME());
    SET @Processed = 0;
    DECLARE @stop_deadline datetimeoffset(7) = DATEADD(MILLISECOND, -@StopGraceMs, @now);
    DECLARE @due TABLE (seq int IDENTITY (1, 1) PRIMARY KEY, task_id uniqueidentifier NOT NULL, stop_unanswered bit NOT NULL);
    DECLARE @seq int = 1;
    DECLARE @task_id uniqueidentifier;
    DECLARE @stop_unanswered bit;
    DECLARE @outcome varchar(16);
    DECLARE @reason nvarchar(200);
    DECLARE @status int;
    DECLARE @retry bit;

    /* ---------------------------------------- Sweep; table order: tasks, operations, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO @due (task_id, stop_unanswered)
        SELECT TOP (@BatchSize)
            t.task_id,
            CASE WHEN t.lease_expires_at > @now THEN 1 ELSE 0 END
        FROM internal.tasks AS t WITH (READPAST, UPDLOCK, ROWLOCK)
        WHERE
            t.status IN (2, 3)
            AND (t.lease_expires_at <= @now OR (t.is_cancelled = 1 AND t.cancel_requested_at <= @stop_deadline))
        ORDER BY t.lease_expires_at;

        WHILE @seq <= (SELECT COUNT(*) FROM @due)
        BEGIN
            SELECT
                @task_id = d.task_id,
                @stop_unanswered = d.stop_unanswered
            FROM @due AS d
            WHERE d.seq = @seq;
            SET @outcome = CASE WHEN @stop_unanswered = 1 THEN 'canceled' ELSE 'expired' END;
            SET @reason = CASE
                WHEN @stop_unanswered = 1 THEN N'The worker did not answer the stop request.'
                ELSE N'The lease expired.'
            END;
            EXEC internal.end_task_attempt
                @TaskId = @task_id,
                @Outcome = @outcome,
                @ErrorMessage = @reason,
                @now = @now,
                @ExecutionStatus = @status OUTPUT,
                @WillRetry = @retry OUTPUT;
            SET @Processed = @Processed + 1;
            SET @seq = @seq + 1;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
