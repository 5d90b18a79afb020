SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.close_protection_key
    Closes every protection key open in this session (what internal.open_protection_key opened),
    so that the caller's session cannot use it afterwards. Keys the caller opened itself stay open.
    Callers: the procedures that called internal.open_protection_key, on success and in CATCH.
*/
CREATE OR ALTER PROCEDURE internal.close_protection_key
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    DECLARE @sql nvarchar(max) = N'';

    SELECT @sql = @sql + N'CLOSE SYMMETRIC KEY ' + QUOTENAME(pk.key_name) + N'; '
    FROM internal.protection_keys AS pk
    INNER JOIN sys.openkeys AS ok ON ok.key_name = pk.key_name AND ok.database_id = DB_ID();
    IF @sql <> N''
        EXEC sys.sp_executesql @sql;
    RETURN 0;
END;
GO
