SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.trust_worker_certificate
    Trusts a worker certificate whose worker agent id is not known yet (SSIS: installing the worker's
    certificate in the master's Root store). The worker that presents it registers itself, disabled,
    at its first contact. Trusting a certificate that is already trusted and not yet bound changes
    only its description.
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
    Errors: 51000 @CertificateThumbprint is NULL; 51001 malformed thumbprint or a description over 4000 characters; 51202 the certificate is
    bound to a worker agent already.
*/
CREATE OR ALTER PROCEDURE [catalog].trust_worker_certificate
    @CertificateThumbprint nvarchar(4000) = NULL,
    @Description nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @thumbprint varchar(128) = internal.normalize_thumbprint(@CertificateThumbprint);

    /* ---------------------------------------- Check input parameters */
    IF @CertificateThumbprint IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@CertificateThumbprint';
        RETURN 1;
    END;
    IF @thumbprint IS NULL
    BEGIN
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@CertificateThumbprint',
            @a2 = @CertificateThumbprint,
            @a3 = N'40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)';
        RETURN 1;
    END;
    IF LEN(@Description + N'.') - 1 > 4000
    BEGIN
        EXEC internal.raise_error @number = 51001, @a1 = N'@Description', @a2 = @Description, @a3 = N'at most 4000 characters';
        RETURN 1;
    END;

    DECLARE @certificate_trusted bit = 0;
    DECLARE @certificate_worker uniqueidentifier = NULL;
    DECLARE @certificate_worker_text nvarchar(36);
    DECLARE @caller nvarchar(256) = ORIGINAL_LOGIN();

    /* ---------------------------------------- Trust; table: worker_certificates */
    BEGIN TRY
        BEGIN TRANSACTION;

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

        IF @certificate_trusted = 1
            UPDATE c
            SET c.description = @Description
            FROM internal.worker_certificates AS c
            WHERE c.thumbprint = @thumbprint;
        ELSE
            INSERT INTO internal.worker_certificates (thumbprint, description, trusted_by)
            VALUES (@thumbprint, @Description, @caller);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
