SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.dealwith_expired_tasks
    The expired-task sweep (SSIS's DealWithExpiredTasks). An attempt whose lease expired — its worker
    died, lost the network or stopped renewing — goes back to the queue while attempts remain, else
    its execution ends unexpectedly (6); a claim the worker never acknowledged (status 2: the answer
    never reached it) goes back without counting the attempt. A stopped execution whose worker never
    answered the stop within @StopGraceMs is canceled (3).
    Grace after an outage: @ReachableForMs is how long the calling master has reached the catalog
    without a break. A lease is expired only once its worker has had one full lease (the task's
    lease_ms) of that time to renew it, so leases do not all run out the moment a catalog, a master
    or a failover comes back. NULL: no grace (tests, and callers that keep no such count).
    Fencing: with @MasterId and @Epoch, the caller must hold the 'expired_tasks' sweep lease at that
    epoch; the lease row stays share-locked for the transaction, so a master that stalled past its
    lease cannot sweep beside the new holder (51301).
    At most @BatchSize (100) tasks per call, in one short transaction, found by two seeks (expired
    leases on ix_tasks_leased, unanswered stops on ix_tasks_cancel_pending); rows other sessions hold
    are skipped (READPAST), so heartbeats and dispatch are never held up behind a long sweep. Call
    again while @Processed = @BatchSize.
    Caller: the master holding the 'expired_tasks' sweep lease. Output: @Processed.
    Errors: 51001 (@BatchSize, @StopGraceMs, @ReachableForMs, @MasterId with @Epoch), 51301.
*/
CREATE OR ALTER PROCEDURE internal.dealwith_expired_tasks
    @now datetimeoffset(7) = NULL,
    @BatchSize int = 100,
    @StopGraceMs int = 120000,
    @ReachableForMs bigint = NULL,
    @MasterId uniqueidentifier = NULL,
    @Epoch bigint = NULL,
    @Processed int = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @BatchSize IS NULL OR @BatchSize NOT BETWEEN 1 AND 100
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@BatchSize', CONVERT(nvarchar(20), @BatchSize), N'from 1 to 100') + N' ';
    IF @StopGraceMs IS NULL OR @StopGraceMs < 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@StopGraceMs', CONVERT(nvarchar(20), @StopGraceMs), N'0 or more milliseconds'
            )
            + N' ';
    IF @ReachableForMs < 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@ReachableForMs', CONVERT(nvarchar(20), @ReachableForMs), N'0 or more milliseconds, or NULL'
            )
            + N' ';
    IF (@MasterId IS NULL AND @Epoch IS NOT NULL) OR (@MasterId IS NOT NULL AND @Epoch IS NULL)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@Epoch', COALESCE(CONVERT(nvarchar(20), @Epoch), N'NULL'),
                N'given together with @MasterId, or neither'
            )
            + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    SET @Processed = 0;
    DECLARE @stop_deadline datetimeoffset(7) = DATEADD(MILLISECOND, -@StopGraceMs, @now);
    DECLARE @due TABLE (
        seq int IDENTITY (1, 1) PRIMARY KEY,
        task_id uniqueidentifier NOT NULL,
        outcome varchar(16) NOT NULL
    );
    DECLARE @seq int = 1;
    DECLARE @task_id uniqueidentifier;
    DECLARE @outcome varchar(16);
    DECLARE @reason nvarchar(200);
    DECLARE @status int;
    DECLARE @retry bit;
    DECLARE @master_text nvarchar(36);
    DECLARE @epoch_text nvarchar(20);

    /* ---------------------------------------- Sweep; table order: sweep_leases, tasks, operations, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        IF @MasterId IS NOT NULL
            AND NOT EXISTS (
                SELECT 1
                FROM internal.sweep_leases AS l WITH (REPEATABLEREAD, ROWLOCK)
                WHERE
                    l.sweep_name = N'expired_tasks'
                    AND l.holder_id = @MasterId
                    AND l.epoch = @Epoch
                    AND l.expires_at > @now
            )
        BEGIN
            SET @master_text = LOWER(CONVERT(nvarchar(36), @MasterId));
            SET @epoch_text = CONVERT(nvarchar(20), @Epoch);
            EXEC internal.raise_error @number = 51301, @a1 = N'expired_tasks', @a2 = @master_text, @a3 = @epoch_text;
        END;

        /* Leases that ran out, once their worker had a full lease of reachable catalog to renew them. */
        INSERT INTO @due (task_id, outcome)
        SELECT TOP (@BatchSize)
            t.task_id,
            CASE WHEN t.status = 2 THEN 'unacknowledged' ELSE 'expired' END
        FROM internal.tasks AS t WITH (READPAST, UPDLOCK, ROWLOCK, INDEX (ix_tasks_leased))
        WHERE
            t.status IN (2, 3)
            AND t.lease_expires_at <= @now
            AND (@ReachableForMs IS NULL OR t.lease_ms <= @ReachableForMs)
        ORDER BY t.lease_expires_at;

        /* Stops the worker never answered, though its lease is still renewed or not yet expired. */
        IF @@ROWCOUNT < @BatchSize
            INSERT INTO @due (task_id, outcome)
            SELECT TOP (@BatchSize - (SELECT COUNT(*) FROM @due))
                t.task_id,
                'canceled'
            FROM internal.tasks AS t WITH (READPAST, UPDLOCK, ROWLOCK, INDEX (ix_tasks_cancel_pending))
            WHERE
                t.status IN (2, 3)
                AND t.is_cancelled = 1
                AND t.cancel_requested_at <= @stop_deadline
                AND NOT EXISTS (SELECT 1 FROM @due AS d WHERE d.task_id = t.task_id)
            ORDER BY t.cancel_requested_at;

        WHILE @seq <= (SELECT COUNT(*) FROM @due)
        BEGIN
            SELECT
                @task_id = d.task_id,
                @outcome = d.outcome
            FROM @due AS d
            WHERE d.seq = @seq;
            SET @reason = CASE
                WHEN @outcome = 'canceled' THEN N'The worker did not answer the stop request.'
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
