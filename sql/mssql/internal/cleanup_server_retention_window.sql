SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.cleanup_server_retention_window
    Retention (SSIS's maintenance job): when OPERATION_CLEANUP_ENABLED is TRUE and RETENTION_WINDOW
    is not -1, deletes operations that ended more than RETENTION_WINDOW days ago, with their
    executions, parameter values, messages and archived tasks. The messages go first, at most
    10 x @BatchSize per call, each call its own transaction: one operation's log may hold millions
    of lines, and deleting them in one transaction is SSISDB's classic retention outage (the log
    grows, every log writer waits on the lock). Then at most @BatchSize operations per call.
    @Processed is the number of operations deleted, or @BatchSize while messages were deleted: call
    again while @Processed = @BatchSize.
    Fencing: with @MasterId and @Epoch, the caller must hold the 'retention' sweep lease at that
    epoch (internal.check_sweep_lease, 51301).
    Caller: the master holding the 'retention' sweep lease. Output: @Processed.
    Errors: 51001 (@BatchSize).
*/
CREATE OR ALTER PROCEDURE internal.cleanup_server_retention_window
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

    IF @BatchSize IS NULL OR @BatchSize NOT BETWEEN 1 AND 5000
    BEGIN
        DECLARE @text nvarchar(20) = CONVERT(nvarchar(20), @BatchSize);
        EXEC internal.raise_error @number = 51001, @a1 = N'@BatchSize', @a2 = @text, @a3 = N'from 1 to 5000';
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    /* The fence first, whatever the settings say (and again inside each transaction below). */
    EXEC internal.check_sweep_lease @SweepName = N'retention', @MasterId = @MasterId, @Epoch = @Epoch, @now = @now;
    SET @Processed = 0;
    DECLARE @enabled nvarchar(256);
    DECLARE @days nvarchar(256);
    DECLARE @doomed TABLE (operation_id bigint NOT NULL PRIMARY KEY);

    SELECT @enabled = UPPER(cp.property_value)
    FROM internal.catalog_properties AS cp
    WHERE cp.property_name = N'OPERATION_CLEANUP_ENABLED';
    SELECT @days = cp.property_value
    FROM internal.catalog_properties AS cp
    WHERE cp.property_name = N'RETENTION_WINDOW';

    IF
        @enabled IS NULL
        OR @enabled <> N'TRUE'
        OR @days IS NULL
        OR @days COLLATE Latin1_General_BIN2 LIKE N'%[^0-9]%'
        OR LEN(@days) NOT BETWEEN 1 AND 5
        OR TRY_CONVERT(int, @days) < 1
        RETURN 0;
    /* Found through ix_operations_created_time: an operation that ended before the cutoff was
       created before it (its end time has no index, so that ending one writes none). */
    DECLARE @cutoff datetimeoffset(7) = DATEADD(DAY, -CONVERT(int, @days), @now);

    /* ---------------------------------------- First the messages of the operations due, a chunk at a time */
    DECLARE @chunk int = @BatchSize * 10;
    DECLARE @messages int;
    BEGIN TRY
    BEGIN TRANSACTION;
    EXEC internal.check_sweep_lease @SweepName = N'retention', @MasterId = @MasterId, @Epoch = @Epoch, @now = @now;
    DELETE TOP (@chunk) m
    FROM internal.operation_messages AS m WITH (ROWLOCK)
    WHERE m.operation_id IN (
        SELECT TOP (@BatchSize) o.operation_id
        FROM internal.operations AS o
        WHERE o.created_time <= @cutoff AND o.end_time <= @cutoff
        ORDER BY o.created_time
    );
    SET @messages = @@ROWCOUNT;
    COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;
    IF @messages > 0
    BEGIN
        SET @Processed = @BatchSize;
        RETURN 0;
    END;

    /* ---------------------------------------- Delete; table order: tasks_history, operations (cascading) */
    BEGIN TRY
        BEGIN TRANSACTION;
        EXEC internal.check_sweep_lease @SweepName = N'retention', @MasterId = @MasterId, @Epoch = @Epoch, @now = @now;

        INSERT INTO @doomed (operation_id)
        SELECT TOP (@BatchSize) o.operation_id
        FROM internal.operations AS o WITH (READPAST, UPDLOCK, ROWLOCK)
        WHERE o.created_time <= @cutoff AND o.end_time <= @cutoff
        ORDER BY o.created_time;

        DELETE h
        FROM internal.tasks_history AS h
        INNER JOIN @doomed AS d
            ON d.operation_id = h.execution_id;

        DELETE o
        FROM internal.operations AS o
        INNER JOIN @doomed AS d
            ON d.operation_id = o.operation_id;

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
