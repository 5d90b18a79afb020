SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.is_catalog_admin
    Whether the caller needs no object permission: a member of ssis_admin or db_owner, or sysadmin.
    Callers: internal.may and the catalog's procedures and views.
*/
CREATE OR ALTER FUNCTION internal.is_catalog_admin ()
RETURNS bit
WITH SCHEMABINDING
AS
BEGIN
    RETURN CASE
        WHEN IS_MEMBER(N'ssis_admin') = 1 OR IS_MEMBER(N'db_owner') = 1 OR IS_SRVROLEMEMBER(N'sysadmin') = 1 THEN 1
        ELSE 0
    END;
END;
GO
