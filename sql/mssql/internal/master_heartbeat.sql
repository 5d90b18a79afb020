SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.master_heartbeat
    A master is alive: sets LAST_ONLINE_TIME and its instance's last heartbeat in catalog.masters.
    Caller: the master (scaleout_master), every MasterHeartbeatIntervalInMs.
    Errors: 51000 @MasterId is NULL; 51102 the master has not announced itself.
*/
CREATE OR ALTER PROCEDURE internal.master_heartbeat
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
    DECLARE @online_text nvarchar(40) = CONVERT(nvarchar(40), SWITCHOFFSET(@now, 0), 127);
    DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @MasterId));

    /* Table order: master_properties, masters */
    BEGIN TRY
        BEGIN TRANSACTION;

        UPDATE mp
        SET mp.property_value = @online_text
        FROM internal.master_properties AS mp
        WHERE mp.property_name = N'LAST_ONLINE_TIME';

        UPDATE m
        SET
            m.last_heartbeat_time = @now,
            m.stopped_time = NULL
        FROM internal.masters AS m
        WHERE m.master_id = @MasterId;

        IF @@ROWCOUNT = 0
            EXEC internal.raise_error @number = 51102, @a1 = @id_text;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
