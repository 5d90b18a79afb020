SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.protected_values
    Up to @BatchSize stored values encrypted with a protection key that is no longer current: what
    the key rotation command re-encrypts. kind says where the value is (execution_parameter,
    design_default, default, environment_variable, logdb) and row_id which row; stored_value is the value as stored, and
    clear_value its clear text (SQL Server decrypts with the key under its database master key;
    the PostgreSQL dialect leaves it NULL for the key folder to decrypt).
    Caller: DBA (db_owner: decrypting needs CONTROL on the certificate), through scaleout catalog
    key rotate. Result set: kind, row_id, stored_value, clear_value.
    Errors: 51000, 51001.
*/
CREATE OR ALTER PROCEDURE internal.protected_values
    @BatchSize int = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    /* ---------------------------------------- Check input parameters */
    IF @BatchSize IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@BatchSize';
        RETURN 1;
    END;
    IF @BatchSize < 1 OR @BatchSize > 10000
    BEGIN
        DECLARE @batch_text nvarchar(20) = CONVERT(nvarchar(20), @BatchSize);
        EXEC internal.raise_error @number = 51001, @a1 = N'@BatchSize', @a2 = @batch_text, @a3 = N'from 1 to 10000';
        RETURN 1;
    END;

    DECLARE @current varchar(16) = (SELECT pk.key_id FROM internal.protection_keys AS pk WHERE pk.is_current = 1);

    SELECT TOP (@BatchSize)
        x.kind,
        x.row_id,
        x.stored_value,
        CONVERT(
            nvarchar(4000),
            DECRYPTBYKEYAUTOCERT(
                CERT_ID(N'ScaleOut_ProtectionCertificate'),
                NULL,
                CONVERT(varbinary(8000), SUBSTRING(x.stored_value, 22, 16000), 2)
            )
        ) AS clear_value
    FROM (
        SELECT
            CONVERT(varchar(32), 'execution_parameter') AS kind,
            pv.execution_parameter_id AS row_id,
            pv.parameter_value AS stored_value
        FROM internal.execution_parameter_values AS pv
        WHERE pv.sensitive = 1 AND pv.parameter_value LIKE N'enc:%'
        UNION ALL
        SELECT 'design_default', op.parameter_id, op.design_default_value
        FROM internal.object_parameters AS op
        WHERE op.sensitive = 1 AND op.design_default_value LIKE N'enc:%'
        UNION ALL
        SELECT 'default', op.parameter_id, op.default_value
        FROM internal.object_parameters AS op
        WHERE op.sensitive = 1 AND op.default_value LIKE N'enc:%'
        UNION ALL
        SELECT 'environment_variable', ev.variable_id, ev.value
        FROM internal.environment_variables AS ev
        WHERE ev.sensitive = 1 AND ev.value LIKE N'enc:%'        UNION ALL
        SELECT 'logdb', CONVERT(bigint, lc.id), lc.connection_string
        FROM internal.logdb_connection AS lc
        WHERE lc.connection_string LIKE N'enc:%'
    ) AS x
    WHERE SUBSTRING(x.stored_value, 5, 16) <> COALESCE(@current, '');

    RETURN 0;
END;
GO
