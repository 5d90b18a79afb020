SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.check_sweep_lease
    The fence of a sweep: with @MasterId and @Epoch, the caller must hold the sweep's lease at that
    epoch, unexpired, or the sweep is refused (51301) — a master that stalled past its lease cannot
    sweep beside the new holder. The lease row stays locked (REPEATABLEREAD) to the end of the
    caller's transaction, so it cannot move on meanwhile. Without @MasterId and @Epoch (a DBA, the
    tests) nothing is checked; one without the other is 51001.
    Callers: the sweep procedures, first thing in their transaction.
*/
CREATE OR ALTER PROCEDURE internal.check_sweep_lease
    @SweepName nvarchar(4000) = NULL,
    @MasterId uniqueidentifier = NULL,
    @Epoch bigint = NULL,
    @now datetimeoffset(7) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    DECLARE @master_text nvarchar(36);
    DECLARE @epoch_text nvarchar(20) = COALESCE(CONVERT(nvarchar(20), @Epoch), N'NULL');

    IF (@MasterId IS NULL AND @Epoch IS NOT NULL) OR (@MasterId IS NOT NULL AND @Epoch IS NULL)
    BEGIN
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@Epoch',
            @a2 = @epoch_text,
            @a3 = N'given together with @MasterId, or neither';
        RETURN 1;
    END;
    IF @MasterId IS NULL RETURN 0;
    IF NOT EXISTS (
        SELECT 1
        FROM internal.sweep_leases AS l WITH (REPEATABLEREAD, ROWLOCK)
        WHERE
            l.sweep_name = @SweepName
            AND l.holder_id = @MasterId
            AND l.epoch = @Epoch
            AND l.expires_at > @now
    )
    BEGIN
        SET @master_text = LOWER(CONVERT(nvarchar(36), @MasterId));
        EXEC internal.raise_error @number = 51301, @a1 = @SweepName, @a2 = @master_text, @a3 = @epoch_text;
        RETURN 1;
    END;
    RETURN 0;
END;
GO
