SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.sees_all_objects
    Whether the catalog views show the caller every row: catalog admins (internal.is_catalog_admin),
    ssis_logreader (SSIS's reader of every operational view) and the master (scaleout_master).
    Everyone else sees what internal.may lets them read.
    Callers: the catalog views.
*/
CREATE OR ALTER FUNCTION internal.sees_all_objects ()
RETURNS bit
WITH SCHEMABINDING
AS
BEGIN
    RETURN CASE
        WHEN
            IS_MEMBER(N'ssis_admin') = 1
            OR IS_MEMBER(N'db_owner') = 1
            OR IS_SRVROLEMEMBER(N'sysadmin') = 1
            OR IS_MEMBER(N'ssis_logreader') = 1
            OR IS_MEMBER(N'scaleout_master') = 1
            THEN 1
        ELSE 0
    END;
END;
GO
