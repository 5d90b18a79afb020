SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.identify_worker_agent
    Who a client certificate is: the worker agent it is trusted for, and whether that worker is
    enabled. The master asks before it reads a request's body, and again every few seconds, so that
    a certificate revoked (its worker deleted, or given another certificate) is refused on every
    master within seconds. Reads only.
      - A certificate the catalog does not trust: 51401.
      - A trusted certificate no worker has registered with yet (catalog.trust_worker_certificate):
        @WorkerAgentId comes back NULL.
      - @WorkerAgentId given: it must be the certificate's worker (51402), unless the certificate has
        no worker yet.
    Caller: the master (scaleout_master). Outputs: @WorkerAgentId, @IsEnabled.
    Errors: 51000, 51001, 51401, 51402.
*/
CREATE OR ALTER PROCEDURE internal.identify_worker_agent
    @CertificateThumbprint nvarchar(4000) = NULL,
    @WorkerAgentId uniqueidentifier = NULL OUTPUT,
    @IsEnabled bit = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    DECLARE @thumbprint varchar(128) = internal.normalize_thumbprint(@CertificateThumbprint);
    DECLARE @trusted bit = NULL;
    DECLARE @worker uniqueidentifier = NULL;
    DECLARE @registered varchar(128) = NULL;
    DECLARE @given nvarchar(100);
    DECLARE @worker_text nvarchar(36);
    DECLARE @thumbprint_text nvarchar(128);

    IF @CertificateThumbprint IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@CertificateThumbprint';
        RETURN 1;
    END;
    IF @thumbprint IS NULL
    BEGIN
        SET @given = LEFT(@CertificateThumbprint, 100);
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@CertificateThumbprint',
            @a2 = @given,
            @a3 = N'40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)';
        RETURN 1;
    END;

    SELECT
        @trusted = 1,
        @worker = c.worker_agent_id
    FROM internal.worker_certificates AS c
    WHERE c.thumbprint = @thumbprint;

    SET @thumbprint_text = @thumbprint;
    IF @trusted IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51401, @a1 = @thumbprint_text;
        RETURN 1;
    END;
    IF @WorkerAgentId IS NOT NULL AND @worker IS NOT NULL AND @worker <> @WorkerAgentId
    BEGIN
        SELECT @registered = c.thumbprint
        FROM internal.worker_certificates AS c
        WHERE c.worker_agent_id = @WorkerAgentId;
        SET @worker_text = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
        SET @registered = COALESCE(@registered, '(none)');
        DECLARE @registered_text nvarchar(128) = @registered;
        EXEC internal.raise_error @number = 51402, @a1 = @worker_text, @a2 = @thumbprint_text, @a3 = @registered_text;
        RETURN 1;
    END;

    SET @WorkerAgentId = @worker;
    SET @IsEnabled = (SELECT w.is_enabled FROM internal.worker_agents AS w WHERE w.worker_agent_id = @worker);

    RETURN 0;
END;
GO
