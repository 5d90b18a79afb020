SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.cleanup_completed_jobs
    Moves tasks that ended (failed, succeeded, cancelled) more than @minutesToKeep minutes ago into
    internal.tasks_history, keeping the live queue small. At most @BatchSize per call; call again
    while @Processed = @BatchSize.
    Fencing: with @MasterId and @Epoch, the caller must hold the 'cleanup_completed_jobs' sweep lease
    at that epoch (internal.check_sweep_lease, 51301).
    Caller: the master holding the 'cleanup_completed_jobs' sweep lease. Output: @Processed.
    Errors: 51001 (@minutesToKeep, @BatchSize).
*/
CREATE OR ALTER PROCEDURE internal.cleanup_completed_jobs
    @minutesToKeep int = 60,
    @BatchSize int = 1000,
    @now datetimeoffset(7) = NULL,
    @MasterId uniqueidentifier = NULL,
    @Epoch bigint = NULL,
    @Processed int = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @text nvarchar(20);
    IF @minutesToKeep IS NULL OR @minutesToKeep < 0
    BEGIN
        SET @text = CONVERT(nvarchar(20), @minutesToKeep);
        EXEC internal.raise_error @number = 51001, @a1 = N'@minutesToKeep', @a2 = @text, @a3 = N'0 or more minutes';
        RETURN 1;
    END;
    IF @BatchSize IS NULL OR @BatchSize NOT BETWEEN 1 AND 5000
    BEGIN
        SET @text = CONVERT(nvarchar(20), @BatchSize);
        EXEC internal.raise_error @number = 51001, @a1 = N'@BatchSize', @a2 = @text, @a3 = N'from 1 to 5000';
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @cutoff datetimeoffset(7) = DATEADD(MINUTE, -@minutesToKeep, @now);

    /* ---------------------------------------- Archive; table order: sweep_leases, tasks, tasks_history */
    BEGIN TRY
    BEGIN TRANSACTION;
    EXEC internal.check_sweep_lease @SweepName = N'cleanup_completed_jobs', @MasterId = @MasterId, @Epoch = @Epoch, @now = @now;
    DELETE t
    OUTPUT
        deleted.task_id,
        deleted.execution_id,
        deleted.task_type,
        deleted.status,
        deleted.priority,
        deleted.max_executed_count,
        deleted.executed_count,
        deleted.worker_agent_id,
        deleted.is_cancelled,
        deleted.last_pickup_time,
        deleted.last_error,
        deleted.created_time,
        deleted.last_updated_time,
        @now
    INTO internal.tasks_history (
        task_id,
        execution_id,
        task_type,
        status,
        priority,
        max_executed_count,
        executed_count,
        worker_agent_id,
        is_cancelled,
        last_pickup_time,
        last_error,
        created_time,
        last_updated_time,
        archived_time
    )
    FROM internal.tasks AS t
    WHERE t.task_id IN (
        SELECT TOP (@BatchSize) f.task_id
        /* READCOMMITTEDLOCK: READPAST is refused under READ_COMMITTED_SNAPSHOT without it (Msg 650). */
        FROM internal.tasks AS f WITH (READPAST, READCOMMITTEDLOCK)
        WHERE f.status IN (4, 5, 6) AND f.last_updated_time <= @cutoff
        ORDER BY f.last_updated_time
    );
    SET @Processed = @@ROWCOUNT;
    COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
