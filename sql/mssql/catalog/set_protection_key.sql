SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.set_protection_key
    Makes a new protection key current: sensitive values stored from now on are encrypted with it.
    SQL Server keeps the key itself, as SSISDB does: a new symmetric key (AES 256) protected by the
    certificate ScaleOut_ProtectionCertificate under the database master key, so @PublicKey must be
    NULL (the PostgreSQL dialect takes an OpenPGP public key there). Older keys stay, so values
    stored under them remain readable; the key rotation command re-encrypts them
    (internal.protected_values, internal.replace_protected_value). The first key also encrypts
    what was stored in clear before there was one.
    Creating a key takes ALTER ANY SYMMETRIC KEY and CONTROL on the certificate: on SQL Server the
    caller is a db_owner, as for the migration that runs it.
    Caller: DBA (db_owner), through scaleout migrate up and scaleout catalog key rotate.
    Errors: 51001 @PublicKey is not NULL. (51000 is never raised: no argument is required.)
*/
CREATE OR ALTER PROCEDURE [catalog].set_protection_key
    @PublicKey nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @PublicKey IS NOT NULL
    BEGIN
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@PublicKey',
            @a2 = @PublicKey,
            @a3 = N'NULL: SQL Server keeps its protection key in the database, under its master key';
        RETURN 1;
    END;

    DECLARE @key_name sysname = N'ScaleOut_ProtectionKey_'
        + REPLACE(CONVERT(nvarchar(36), NEWID()), N'-', N'');
    DECLARE @key_guid uniqueidentifier;
    DECLARE @key_id varchar(16);
    DECLARE @first bit = 0;
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    DECLARE @sql nvarchar(max);

    /* ---------------------------------------- The key itself (DDL: outside the transaction) */
    SET @sql = N'CREATE SYMMETRIC KEY ' + QUOTENAME(@key_name)
        + N' WITH ALGORITHM = AES_256 ENCRYPTION BY CERTIFICATE ScaleOut_ProtectionCertificate; '
        + N'GRANT VIEW DEFINITION ON SYMMETRIC KEY::' + QUOTENAME(@key_name) + N' TO scaleout_master; '
        + N'GRANT VIEW DEFINITION ON SYMMETRIC KEY::' + QUOTENAME(@key_name) + N' TO ScaleOut_KeyOpener;';
    EXEC sys.sp_executesql @sql;
    SELECT @key_guid = sk.key_guid
    FROM sys.symmetric_keys AS sk
    WHERE sk.name = @key_name;
    SET @key_id = LOWER(LEFT(REPLACE(CONVERT(varchar(36), @key_guid), '-', ''), 16));

    /* ---------------------------------------- Make it current; table order: protection_keys, then the values */
    BEGIN TRY
        BEGIN TRANSACTION;

        IF NOT EXISTS (SELECT 1 FROM internal.protection_keys AS pk WITH (UPDLOCK, HOLDLOCK))
            SET @first = 1;
        UPDATE pk
        SET pk.is_current = 0
        FROM internal.protection_keys AS pk
        WHERE pk.is_current = 1;
        INSERT INTO internal.protection_keys (key_id, public_key, key_name, key_guid, is_current, created_by)
        VALUES (@key_id, NULL, @key_name, @key_guid, 1, @caller);

        IF @first = 1
        BEGIN
            /* What a catalog stored before it had a key (a migrated catalog gets its key at once). */
            EXEC internal.open_protection_key @what = N'the values stored before the first key';
            UPDATE pv
            SET pv.parameter_value = internal.protect_value(pv.parameter_value)
            FROM internal.execution_parameter_values AS pv
            WHERE pv.sensitive = 1 AND pv.parameter_value IS NOT NULL;
            UPDATE op
            SET
                op.design_default_value = internal.protect_value(op.design_default_value),
                op.default_value = internal.protect_value(op.default_value)
            FROM internal.object_parameters AS op
            WHERE op.sensitive = 1 AND (op.design_default_value IS NOT NULL OR op.default_value IS NOT NULL);
            UPDATE lc
            SET lc.connection_string = internal.protect_value(lc.connection_string)
            FROM internal.logdb_connection AS lc;
            EXEC internal.close_protection_key;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        EXEC internal.close_protection_key;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
