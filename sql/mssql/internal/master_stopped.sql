SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.master_stopped
    A master is shutting down: marks its instance stopped and releases every sweep lease it holds, so
    that another master takes the sweeps over at once instead of after the lease expires.
    Caller: the master (scaleout_master), on SIGTERM.
    Errors: 51000 @MasterId is NULL; 51102 the master has not announced itself.
*/
CREATE OR ALTER PROCEDURE internal.master_stopped
    @MasterId uniqueidentifier = NULL,
    @now datetimeoffset(7) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    IF @MasterId IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@MasterId';
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @MasterId));

    /* Table order: masters, sweep_leases */
    BEGIN TRY
        BEGIN TRANSACTION;

        UPDATE m
        SET m.stopped_time = @now
        FROM internal.masters AS m
        WHERE m.master_id = @MasterId;

        IF @@ROWCOUNT = 0
            EXEC internal.raise_error @number = 51102, @a1 = @id_text;

        UPDATE l
        SET
            l.holder_id = NULL,
            l.expires_at = NULL
        FROM internal.sweep_leases AS l
        WHERE l.holder_id = @MasterId;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
