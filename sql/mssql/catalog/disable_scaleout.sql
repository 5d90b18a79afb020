SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.disable_scaleout
    Turns Scale Out off for the catalog (IS_SCALEOUT_ENABLED empty, as SSIS leaves it): workers still
    register and heartbeat, but no task is handed out until Scale Out is enabled again.
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
*/
CREATE OR ALTER PROCEDURE [catalog].disable_scaleout
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    UPDATE mp
    SET mp.property_value = N''
    FROM internal.master_properties AS mp
    WHERE mp.property_name = N'IS_SCALEOUT_ENABLED';

    RETURN 0;
END;
GO
