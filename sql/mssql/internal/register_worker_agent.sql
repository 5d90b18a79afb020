SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.register_worker_agent
    A worker agent's first authenticated contact after it starts. The master passes the thumbprint
    of the client certificate the worker presented.
      - The certificate must be trusted by the catalog (catalog.add_worker_agent or
        catalog.trust_worker_certificate); an untrusted one is refused (51401) and nothing is recorded.
      - A worker seen for the first time is recorded disabled, as SSIS does, until a DBA enables it.
      - A known worker must present the certificate registered for it (51402); a certificate bound
        to another worker is refused (51202).
    Caller: the master (scaleout_master). Output: @IsEnabled.
    Errors: 51000, 51001, 51202, 51401, 51402.
*/
CREATE OR ALTER PROCEDURE internal.register_worker_agent
    @WorkerAgentId uniqueidentifier = NULL,
    @CertificateThumbprint nvarchar(4000) = NULL,
    @MachineName nvarchar(max) = NULL,
    @UserAccount nvarchar(max) = NULL,
    @DisplayName nvarchar(max) = NULL,
    @Description nvarchar(max) = NULL,
    @HeartbeatIntervalMs int = NULL,
    @MaxTaskCount int = NULL,
    @OSVersion nvarchar(max) = NULL,
    @ProcessorCount int = NULL,
    @TotalMemoryMB float = NULL,
    @AgentVersion nvarchar(max) = NULL,
    @now datetimeoffset(7) = NULL,
    @IsEnabled bit = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';
    DECLARE @thumbprint varchar(128) = internal.normalize_thumbprint(@CertificateThumbprint);

    IF @WorkerAgentId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@WorkerAgentId', NULL, NULL) + N' ';
    ELSE IF @WorkerAgentId = '11111111-1111-1111-1111-111111111111'
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@WorkerAgentId',
                N'11111111-1111-1111-1111-111111111111',
                N'this id is reserved: it means any worker'
            )
            + N' ';
    IF @CertificateThumbprint IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@CertificateThumbprint', NULL, NULL) + N' ';
    ELSE IF @thumbprint IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@CertificateThumbprint',
                @CertificateThumbprint,
                N'40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)'
            )
            + N' ';
    IF @MachineName IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@MachineName', NULL, NULL) + N' ';
    IF @HeartbeatIntervalMs IS NOT NULL AND @HeartbeatIntervalMs NOT BETWEEN 1000 AND 86400000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@HeartbeatIntervalMs',
                CONVERT(nvarchar(20), @HeartbeatIntervalMs),
                N'milliseconds from 1000 to 86400000'
            )
            + N' ';
    IF @MaxTaskCount IS NOT NULL AND @MaxTaskCount NOT BETWEEN 1 AND 1000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@MaxTaskCount', CONVERT(nvarchar(20), @MaxTaskCount), N'from 1 to 1000')
            + N' ';

    IF @ProcessorCount IS NOT NULL AND (@ProcessorCount < 1 OR @ProcessorCount > 100000)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@ProcessorCount', CONVERT(nvarchar(20), @ProcessorCount), N'from 1 to 100000')
            + N' ';
    IF @TotalMemoryMB IS NOT NULL AND (@TotalMemoryMB < 0 OR @TotalMemoryMB > 1e9)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@TotalMemoryMB', CONVERT(nvarchar(40), @TotalMemoryMB), N'megabytes from 0 to 1000000000')
            + N' ';
    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@MachineName', @MachineName, 256)
        + internal.length_problem(N'@UserAccount', @UserAccount, 256)
        + internal.length_problem(N'@DisplayName', @DisplayName, 256)
        + internal.length_problem(N'@Description', @Description, 4000)
        + internal.length_problem(N'@OSVersion', @OSVersion, 256)
        + internal.length_problem(N'@AgentVersion', @AgentVersion, 64);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
    DECLARE @worker_exists bit = 0;
    DECLARE @registered_thumbprint varchar(128) = NULL;
    DECLARE @certificate_trusted bit = 0;
    DECLARE @certificate_worker uniqueidentifier = NULL;
    DECLARE @certificate_worker_text nvarchar(36);

    /* ---------------------------------------- Register; table order: worker_agents, worker_certificates, machine_properties */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT @worker_exists = 1
        FROM internal.worker_agents AS w WITH (UPDLOCK, HOLDLOCK)
        WHERE w.worker_agent_id = @WorkerAgentId;

        SELECT @registered_thumbprint = c.thumbprint
        FROM internal.worker_certificates AS c WITH (UPDLOCK, HOLDLOCK)
        WHERE c.worker_agent_id = @WorkerAgentId;

        SELECT
            @certificate_trusted = 1,
            @certificate_worker = c.worker_agent_id
        FROM internal.worker_certificates AS c WITH (UPDLOCK, HOLDLOCK)
        WHERE c.thumbprint = @thumbprint;

        IF @certificate_trusted = 0
            EXEC internal.raise_error @number = 51401, @a1 = @thumbprint;

        IF @registered_thumbprint IS NOT NULL AND @registered_thumbprint <> @thumbprint
            EXEC internal.raise_error
                @number = 51402, @a1 = @id_text, @a2 = @thumbprint, @a3 = @registered_thumbprint;

        IF @certificate_worker IS NOT NULL AND @certificate_worker <> @WorkerAgentId
        BEGIN
            SET @certificate_worker_text = LOWER(CONVERT(nvarchar(36), @certificate_worker));
            EXEC internal.raise_error @number = 51202, @a1 = @thumbprint, @a2 = @certificate_worker_text;
        END;

        IF @worker_exists = 0
            INSERT INTO internal.worker_agents (
                worker_agent_id,
                is_enabled,
                display_name,
                description,
                machine_name,
                user_account,
                last_online_time,
                heartbeat_interval_ms,
                created_by
            )
            VALUES (
                @WorkerAgentId,
                0,
                COALESCE(@DisplayName, @MachineName),
                @Description,
                @MachineName,
                @UserAccount,
                @now,
                COALESCE(@HeartbeatIntervalMs, 60000),
                N'registered by the worker agent'
            );
        ELSE
            UPDATE w
            SET
                w.machine_name = @MachineName,
                w.user_account = @UserAccount,
                w.last_online_time = @now,
                w.heartbeat_interval_ms = COALESCE(@HeartbeatIntervalMs, w.heartbeat_interval_ms),
                w.display_name = COALESCE(w.display_name, @DisplayName, @MachineName),
                w.description = COALESCE(w.description, @Description)
            FROM internal.worker_agents AS w
            WHERE w.worker_agent_id = @WorkerAgentId;

        IF @certificate_worker IS NULL
            UPDATE c
            SET c.worker_agent_id = @WorkerAgentId
            FROM internal.worker_certificates AS c
            WHERE c.thumbprint = @thumbprint;

        UPDATE p
        SET p.property_value = v.property_value
        FROM internal.machine_properties AS p
        INNER JOIN (
            VALUES
            (N'OSVersion', @OSVersion),
            (N'ProcessorCount', CONVERT(nvarchar(20), @ProcessorCount)),
            (N'TotalMemoryMB', CONVERT(nvarchar(20), CONVERT(bigint, ROUND(@TotalMemoryMB, 0)))),
            (N'AgentVersion', @AgentVersion),
            (N'MaxTaskCount', CONVERT(nvarchar(20), @MaxTaskCount))
        ) AS v (property_name, property_value)
            ON v.property_name = p.property_name
        WHERE p.worker_agent_id = @WorkerAgentId AND v.property_value IS NOT NULL;

        INSERT INTO internal.machine_properties (worker_agent_id, property_name, property_value)
        SELECT
            @WorkerAgentId,
            v.property_name,
            v.property_value
        FROM (
            VALUES
            (N'OSVersion', @OSVersion),
            (N'ProcessorCount', CONVERT(nvarchar(20), @ProcessorCount)),
            (N'TotalMemoryMB', CONVERT(nvarchar(20), CONVERT(bigint, ROUND(@TotalMemoryMB, 0)))),
            (N'AgentVersion', @AgentVersion),
            (N'MaxTaskCount', CONVERT(nvarchar(20), @MaxTaskCount))
        ) AS v (property_name, property_value)
        WHERE
            v.property_value IS NOT NULL
            AND NOT EXISTS (
                SELECT 1
                FROM internal.machine_properties AS p
                WHERE p.worker_agent_id = @WorkerAgentId AND p.property_name = v.property_name
            );

        SELECT @IsEnabled = w.is_enabled
        FROM internal.worker_agents AS w
        WHERE w.worker_agent_id = @WorkerAgentId;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
