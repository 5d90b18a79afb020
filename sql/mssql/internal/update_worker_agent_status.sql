SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.update_worker_agent_status
    A worker agent's heartbeat: last online time, machine name and account, and its counters (CPU %,
    available memory, running tasks, and its execution log lines waiting for delivery and those it
    could not deliver, which scaleout doctor reports, and the days its certificate has left, which the
    master reads off the certificate it presented). Returns whether the worker is enabled. Never changes
    IsEnabled, so a DBA's enable or disable racing a heartbeat always stands.
    Caller: the master (scaleout_master), for each agent heartbeat. Output: @IsEnabled.
    Errors: 51000, 51001; 51101 the worker has not registered (or was deleted); 51402 the worker
    presented a certificate other than the one registered for it.
*/
CREATE OR ALTER PROCEDURE internal.update_worker_agent_status
    @WorkerAgentId uniqueidentifier = NULL,
    @CertificateThumbprint nvarchar(4000) = NULL,
    @MachineName nvarchar(max) = NULL,
    @UserAccount nvarchar(max) = NULL,
    @CpuPercent float = NULL,
    @AvailableMemoryMB float = NULL,
    @RunningTaskCount int = NULL,
    @LogLinesPending bigint = NULL,
    @LogLinesUndeliverable bigint = NULL,
    @CertificateDaysLeft float = NULL,
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
    IF @CpuPercent IS NOT NULL AND (@CpuPercent < 0 OR @CpuPercent > 100)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@CpuPercent', CONVERT(nvarchar(40), @CpuPercent), N'from 0 to 100') + N' ';
    IF @AvailableMemoryMB IS NOT NULL AND (@AvailableMemoryMB < 0 OR @AvailableMemoryMB > 1e9)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@AvailableMemoryMB', CONVERT(nvarchar(40), @AvailableMemoryMB), N'megabytes from 0 to 1000000000')
            + N' ';
    IF @RunningTaskCount IS NOT NULL AND @RunningTaskCount < 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@RunningTaskCount', CONVERT(nvarchar(20), @RunningTaskCount), N'0 or more')
            + N' ';
    IF @LogLinesPending < 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@LogLinesPending', CONVERT(nvarchar(20), @LogLinesPending), N'0 or more')
            + N' ';
    IF @LogLinesUndeliverable < 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@LogLinesUndeliverable', CONVERT(nvarchar(20), @LogLinesUndeliverable), N'0 or more'
            )
            + N' ';
    IF @CertificateDaysLeft < -36500 OR @CertificateDaysLeft > 36500
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@CertificateDaysLeft', CONVERT(nvarchar(30), @CertificateDaysLeft), N'days from -36500 to 36500'
            )
            + N' ';

    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@MachineName', @MachineName, 256)
        + internal.length_problem(N'@UserAccount', @UserAccount, 256);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
    DECLARE @registered_thumbprint varchar(128) = NULL;

    /* ---------------------------------------- Record; table order: worker_agents, worker_certificates, worker_agent_perfcounter */
    BEGIN TRY
        BEGIN TRANSACTION;

        UPDATE w
        SET
            w.last_online_time = @now,
            w.machine_name = COALESCE(@MachineName, w.machine_name),
            w.user_account = COALESCE(@UserAccount, w.user_account),
            w.running_task_count = COALESCE(@RunningTaskCount, w.running_task_count)
        FROM internal.worker_agents AS w
        WHERE w.worker_agent_id = @WorkerAgentId;

        IF @@ROWCOUNT = 0
            EXEC internal.raise_error @number = 51101, @a1 = @id_text;

        SELECT @registered_thumbprint = c.thumbprint
        FROM internal.worker_certificates AS c
        WHERE c.worker_agent_id = @WorkerAgentId;

        IF @registered_thumbprint IS NULL OR @registered_thumbprint <> @thumbprint
            EXEC internal.raise_error
                @number = 51402, @a1 = @id_text, @a2 = @thumbprint, @a3 = @registered_thumbprint;

        UPDATE p
        SET
            p.counter_value = v.counter_value,
            p.time_stamp = @now
        FROM internal.worker_agent_perfcounter AS p
        INNER JOIN (
            VALUES
            (N'CpuPercent', @CpuPercent),
            (N'AvailableMemoryMB', @AvailableMemoryMB),
            (N'RunningTaskCount', CONVERT(float, @RunningTaskCount)),
            (N'LogLinesPending', CONVERT(float, @LogLinesPending)),
            (N'LogLinesUndeliverable', CONVERT(float, @LogLinesUndeliverable)),
            (N'CertificateDaysLeft', @CertificateDaysLeft)
        ) AS v (counter_name, counter_value)
            ON v.counter_name = p.counter_name
        WHERE p.worker_agent_id = @WorkerAgentId AND v.counter_value IS NOT NULL;

        INSERT INTO internal.worker_agent_perfcounter (worker_agent_id, counter_name, counter_value, time_stamp)
        SELECT
            @WorkerAgentId,
            v.counter_name,
            v.counter_value,
            @now
        FROM (
            VALUES
            (N'CpuPercent', @CpuPercent),
            (N'AvailableMemoryMB', @AvailableMemoryMB),
            (N'RunningTaskCount', CONVERT(float, @RunningTaskCount)),
            (N'LogLinesPending', CONVERT(float, @LogLinesPending)),
            (N'LogLinesUndeliverable', CONVERT(float, @LogLinesUndeliverable)),
            (N'CertificateDaysLeft', @CertificateDaysLeft)
        ) AS v (counter_name, counter_value)
        WHERE
            v.counter_value IS NOT NULL
            AND NOT EXISTS (
                SELECT 1
                FROM internal.worker_agent_perfcounter AS p
                WHERE p.worker_agent_id = @WorkerAgentId AND p.counter_name = v.counter_name
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
