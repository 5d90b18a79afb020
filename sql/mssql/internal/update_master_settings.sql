SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.update_master_settings
    A master announces itself at start-up: publishes MACHINE_NAME, MACHINE_IP, MASTER_SERVICE_PORT,
    SSLCERT_THUMBPRINT, MASTER_HEARTBEAT_INTERVALINMS and LAST_ONLINE_TIME, and records its instance
    in catalog.masters (started now).
    Caller: the master (scaleout_master). Result sets: none.
    Errors: 51000 a required argument is NULL; 51001 port or interval not a number in range.
*/
CREATE OR ALTER PROCEDURE internal.update_master_settings
    @MasterId uniqueidentifier = NULL,
    @MachineName nvarchar(max) = NULL,
    @MachineIP nvarchar(max) = NULL,
    @MasterServicePort nvarchar(4000) = NULL,
    @SSLCertThumbprint nvarchar(max) = NULL,
    @MasterHeartbeatIntervalInMs nvarchar(4000) = NULL,
    @Address nvarchar(max) = NULL,
    @ProcessId int = NULL,
    @Version nvarchar(max) = NULL,
    @now datetimeoffset(7) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @MasterId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@MasterId', NULL, NULL) + N' ';
    IF @MachineName IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@MachineName', NULL, NULL) + N' ';
    IF @MasterServicePort IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@MasterServicePort', NULL, NULL) + N' ';
    ELSE IF TRY_CONVERT(int, @MasterServicePort) IS NULL OR TRY_CONVERT(int, @MasterServicePort) NOT BETWEEN 1 AND 65535
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@MasterServicePort', @MasterServicePort, N'a TCP port from 1 to 65535')
            + N' ';
    IF @SSLCertThumbprint IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@SSLCertThumbprint', NULL, NULL) + N' ';
    ELSE IF internal.normalize_thumbprint(@SSLCertThumbprint) IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@SSLCertThumbprint',
                @SSLCertThumbprint,
                N'40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)'
            )
            + N' ';
    IF @MasterHeartbeatIntervalInMs IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message
            + internal.error_text(51000, N'@MasterHeartbeatIntervalInMs', NULL, NULL) + N' ';
    ELSE IF
        TRY_CONVERT(int, @MasterHeartbeatIntervalInMs) IS NULL
        OR TRY_CONVERT(int, @MasterHeartbeatIntervalInMs) NOT BETWEEN 1000 AND 3600000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@MasterHeartbeatIntervalInMs',
                @MasterHeartbeatIntervalInMs,
                N'milliseconds from 1000 to 3600000'
            )
            + N' ';

    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@MachineName', @MachineName, 256)
        + internal.length_problem(N'@MachineIP', @MachineIP, 256)
        + internal.length_problem(N'@Address', @Address, 256)
        + internal.length_problem(N'@Version', @Version, 64)
        + internal.length_problem(N'@SSLCertThumbprint', @SSLCertThumbprint, 128);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @online_text nvarchar(40) = CONVERT(nvarchar(40), SWITCHOFFSET(@now, 0), 127);

    /* ---------------------------------------- Publish; table order: master_properties, masters */
    BEGIN TRY
        BEGIN TRANSACTION;

        UPDATE mp
        SET mp.property_value = v.property_value
        FROM internal.master_properties AS mp
        INNER JOIN (
            VALUES
            (N'MACHINE_NAME', @MachineName),
            (N'MACHINE_IP', COALESCE(@MachineIP, N'')),
            (N'MASTER_SERVICE_PORT', @MasterServicePort),
            (N'SSLCERT_THUMBPRINT', @SSLCertThumbprint),
            (N'MASTER_HEARTBEAT_INTERVALINMS', @MasterHeartbeatIntervalInMs),
            (N'LAST_ONLINE_TIME', @online_text)
        ) AS v (property_name, property_value)
            ON v.property_name = mp.property_name;

        UPDATE m
        SET
            m.machine_name = @MachineName,
            m.machine_ip = @MachineIP,
            m.address = @Address,
            m.process_id = @ProcessId,
            m.version = @Version,
            m.started_time = @now,
            m.last_heartbeat_time = @now,
            m.stopped_time = NULL
        FROM internal.masters AS m WITH (UPDLOCK, HOLDLOCK)
        WHERE m.master_id = @MasterId;

        IF @@ROWCOUNT = 0
            INSERT INTO internal.masters (
                master_id, machine_name, machine_ip, address, process_id, version, started_time, last_heartbeat_time
            )
            VALUES (@MasterId, @MachineName, @MachineIP, @Address, @ProcessId, @Version, @now, @now);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
