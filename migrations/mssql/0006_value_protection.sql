SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0006_value_protection
-- Sensitive parameter values and the log database's connection string are stored encrypted, as
-- SSISDB stores them: ENCRYPTBYKEY with a symmetric key (AES 256) protected by a certificate that
-- the database master key protects. catalog.set_protection_key creates the symmetric keys (one
-- per rotation); this step creates the certificate, and the database master key when the database
-- has none. A stored value reads 'enc:<key id>:<hexadecimal ciphertext>'.
-- The database master key created here is protected by a random password nobody keeps, and by
-- the service master key (so it opens by itself). Back it up with BACKUP MASTER KEY, and restore
-- it (or regenerate the password) when the database moves to another instance: see
-- docs/security.md.
-- Released steps are never edited: fix forward with a new step.

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES (
    51404,
    'protection_key_missing',
    N'The catalog has no protection key to encrypt {1} with. Run scaleout migrate up or scaleout catalog key create, which give it one.'
);
GO

CREATE TABLE internal.protection_keys (
    key_id varchar(16) NOT NULL,
    public_key nvarchar(max) NULL,
    key_name sysname NULL,
    key_guid uniqueidentifier NULL,
    is_current bit NOT NULL CONSTRAINT df_protection_keys_is_current DEFAULT (0),
    created_time datetimeoffset(7) NOT NULL CONSTRAINT df_protection_keys_created_time DEFAULT (SYSDATETIMEOFFSET()),
    created_by nvarchar(128) NOT NULL CONSTRAINT df_protection_keys_created_by DEFAULT (ORIGINAL_LOGIN()),
    CONSTRAINT pk_protection_keys PRIMARY KEY CLUSTERED (key_id)
);
GO
CREATE UNIQUE INDEX ux_protection_keys_current ON internal.protection_keys (is_current) WHERE is_current = 1;
GO

-- The database master key and the certificate: created in dynamic SQL, since their statements
-- take no variables (a generated password) and the T-SQL gate's parser does not know them.
DECLARE @sql nvarchar(max);
IF NOT EXISTS (SELECT 1 FROM sys.symmetric_keys WHERE name = N'##MS_DatabaseMasterKey##')
BEGIN
    SET @sql = N'CREATE MASTER KEY ENCRYPTION BY PASSWORD = '
        + QUOTENAME(CONVERT(nvarchar(36), NEWID()) + N'-Aa1!' + CONVERT(nvarchar(36), NEWID()), N'''')
        + N';';
    EXEC sys.sp_executesql @sql;
END;
IF NOT EXISTS (SELECT 1 FROM sys.certificates WHERE name = N'ScaleOut_ProtectionCertificate')
BEGIN
    SET @sql = N'CREATE CERTIFICATE ScaleOut_ProtectionCertificate '
        + N'WITH SUBJECT = ''Scale Out: protects the keys of sensitive values'', '
        + N'EXPIRY_DATE = ''99991231'';';
    EXEC sys.sp_executesql @sql;
END;
-- The master decrypts with DECRYPTBYKEYAUTOCERT in claim_tasks and get_log_dbconnection.
SET @sql = N'GRANT CONTROL ON CERTIFICATE::ScaleOut_ProtectionCertificate TO scaleout_master;';
EXEC sys.sp_executesql @sql;
-- internal.open_protection_key is signed with ScaleOut_ModuleSigning: its user may open the keys,
-- so a caller who may store a sensitive value may encrypt it, and never decrypt one.
IF NOT EXISTS (SELECT 1 FROM sys.certificates WHERE name = N'ScaleOut_ModuleSigning')
BEGIN
    SET @sql = N'CREATE CERTIFICATE ScaleOut_ModuleSigning '
        + N'WITH SUBJECT = ''Scale Out: signs internal.open_protection_key'', EXPIRY_DATE = ''99991231''; '
        + N'CREATE USER ScaleOut_KeyOpener FROM CERTIFICATE ScaleOut_ModuleSigning; '
        + N'GRANT CONTROL ON CERTIFICATE::ScaleOut_ProtectionCertificate TO ScaleOut_KeyOpener;';
    EXEC sys.sp_executesql @sql;
END;
GO
