SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.enable_scaleout
    Turns Scale Out on for the catalog (IS_SCALEOUT_ENABLED = TRUE): workers are handed tasks.
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
*/
CREATE OR ALTER PROCEDURE [catalog].enable_scaleout
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    UPDATE mp
    SET mp.property_value = N'TRUE'
    FROM internal.master_properties AS mp
    WHERE mp.property_name = N'IS_SCALEOUT_ENABLED';

    RETURN 0;
END;
GO
