SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.count_newly_ready_tasks
    How many queued tasks became ready after @Since (and are ready now): tasks whose retry delay
    ran out. The master's dispatcher asks once per DispatchPollIntervalInMs while workers wait,
    passing the previous answer's @ReadAt as @Since, and wakes a waiting claim when the count is
    above 0. @DelayedOnly = 1 counts only retries whose backoff ran out (ready_at later than the
    requeue). Reads only, and only the tasks that became ready in the interval (ix_tasks_ready_at),
    however long the backlog; READPAST skips tasks being claimed.
    Caller: the master (scaleout_master). Outputs: @NewlyReady, @ReadAt.
    Errors: 51000 (@Since, @DelayedOnly).
*/
CREATE OR ALTER PROCEDURE internal.count_newly_ready_tasks
    @Since datetimeoffset(7) = NULL,
    @DelayedOnly bit = 0,
    @now datetimeoffset(7) = NULL,
    @NewlyReady int = NULL OUTPUT,
    @ReadAt datetimeoffset(7) = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    IF @Since IS NULL OR @DelayedOnly IS NULL
    BEGIN
        DECLARE @missing nvarchar(20) = CASE WHEN @Since IS NULL THEN N'@Since' ELSE N'@DelayedOnly' END;
        EXEC internal.raise_error @number = 51000, @a1 = @missing;
        RETURN 1;
    END;

    SET @ReadAt = internal.clock(@now);
    SELECT @NewlyReady = COUNT(*)
    /* READCOMMITTEDLOCK: READPAST is refused under READ_COMMITTED_SNAPSHOT without it (Msg 650). */
    FROM internal.tasks AS t WITH (READPAST, READCOMMITTEDLOCK)
    WHERE
        t.status = 1
        AND t.ready_at > @Since
        AND t.ready_at <= @ReadAt
        AND (@DelayedOnly = 0 OR t.ready_at > t.last_updated_time);
    RETURN 0;
END;
GO
