SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.add_worker_agent
    Adds a worker agent ahead of its first connection (Scale Out Manager's "Add worker"): records the
    worker and trusts the certificate it will present. The worker stays disabled unless
    @IsEnabled = 1.
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
    Errors: 51000 a required argument is NULL; 51001 reserved id, malformed thumbprint or MaxTaskCount
    out of range; 51201 the worker agent exists; 51202 the certificate is trusted for another worker.
*/
CREATE OR ALTER PROCEDURE [catalog].add_worker_agent
    @WorkerAgentId uniqueidentifier = NULL,
    @CertificateThumbprint nvarchar(4000) = NULL,
    @DisplayName nvarchar(max) = NULL,
    @Description nvarchar(max) = NULL,
    @Tags nvarchar(max) = NULL,
    @MaxTaskCount int = NULL,
    @IsEnabled bit = 0
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
    IF @MaxTaskCount IS NOT NULL AND @MaxTaskCount NOT BETWEEN 1 AND 1000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@MaxTaskCount', CONVERT(nvarchar(20), @MaxTaskCount), N'from 1 to 1000')
            + N' ';
    /* NULL takes the default, as on PostgreSQL (where a bit parameter cannot tell NULL from omitted). */
    SET @IsEnabled = COALESCE(@IsEnabled, 0);

    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@DisplayName', @DisplayName, 256)
        + internal.length_problem(N'@Description', @Description, 4000)
        + internal.length_problem(N'@Tags', @Tags, 4000);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
    DECLARE @certificate_trusted bit = 0;
    DECLARE @certificate_worker uniqueidentifier = NULL;
    DECLARE @certificate_worker_text nvarchar(36);
    DECLARE @caller nvarchar(256) = ORIGINAL_LOGIN();

    /* ---------------------------------------- Add; table order: worker_agents, worker_certificates */
    BEGIN TRY
        BEGIN TRANSACTION;

        IF EXISTS (
            SELECT 1
            FROM internal.worker_agents AS w WITH (UPDLOCK, HOLDLOCK)
            WHERE w.worker_agent_id = @WorkerAgentId
        )
            EXEC internal.raise_error @number = 51201, @a1 = @id_text;

        SELECT
            @certificate_trusted = 1,
            @certificate_worker = c.worker_agent_id
        FROM internal.worker_certificates AS c WITH (UPDLOCK, HOLDLOCK)
        WHERE c.thumbprint = @thumbprint;

        IF @certificate_worker IS NOT NULL
        BEGIN
            SET @certificate_worker_text = LOWER(CONVERT(nvarchar(36), @certificate_worker));
            EXEC internal.raise_error @number = 51202, @a1 = @thumbprint, @a2 = @certificate_worker_text;
        END;

        INSERT INTO internal.worker_agents (
            worker_agent_id, is_enabled, display_name, description, tags, max_task_count, created_by
        )
        VALUES (
            @WorkerAgentId, @IsEnabled, @DisplayName, @Description, @Tags, COALESCE(@MaxTaskCount, 10), @caller
        );

        IF @certificate_trusted = 1
            UPDATE c
            SET c.worker_agent_id = @WorkerAgentId
            FROM internal.worker_certificates AS c
            WHERE c.thumbprint = @thumbprint;
        ELSE
            INSERT INTO internal.worker_certificates (thumbprint, worker_agent_id, trusted_by)
            VALUES (@thumbprint, @WorkerAgentId, @caller);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
