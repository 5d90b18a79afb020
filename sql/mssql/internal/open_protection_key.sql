SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.open_protection_key
    Opens the current protection key (a symmetric key protected by the certificate
    ScaleOut_ProtectionCertificate) in this session, for internal.protect_value; refuses with 51404
    when the catalog has none (@what names the value that was to be stored). The procedure is signed
    with the certificate ScaleOut_ModuleSigning, whose user may open the key (migration 0006): the
    caller needs no permission on the key or the certificate, and gets none (signing, unlike EXECUTE
    AS, also covers the dynamic OPEN SYMMETRIC KEY). The key stays open in the session
    (keys belong to the session, not to a module) until internal.close_protection_key, which every
    caller runs on success and in its CATCH block.
    Callers: the procedures that store sensitive values.
*/
CREATE OR ALTER PROCEDURE internal.open_protection_key
    @what nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    DECLARE @key_name sysname;
    DECLARE @sql nvarchar(max);

    SELECT @key_name = pk.key_name
    FROM internal.protection_keys AS pk
    WHERE pk.is_current = 1;
    IF @key_name IS NULL
    BEGIN
        DECLARE @what_text nvarchar(200) = COALESCE(@what, N'a sensitive value');
        EXEC internal.raise_error @number = 51404, @a1 = @what_text;
        RETURN 1;
    END;
    SET @sql = N'OPEN SYMMETRIC KEY ' + QUOTENAME(@key_name)
        + N' DECRYPTION BY CERTIFICATE ScaleOut_ProtectionCertificate;';
    EXEC sys.sp_executesql @sql;
    RETURN 0;
END;
GO
/* The signature goes with each version of the procedure: re-signed whenever this file is applied. */
EXEC sys.sp_executesql
    N'ADD SIGNATURE TO internal.open_protection_key BY CERTIFICATE ScaleOut_ModuleSigning;';
GO
