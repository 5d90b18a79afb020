SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.delete_environment_reference
    Deletes an environment reference. Executions created with it keep the environment's folder and
    name, and take its values when they start.
    Caller: DBA (ssis_admin). Returns 0.
    Errors: 51000, 51112 no such reference.
*/
CREATE OR ALTER PROCEDURE [catalog].delete_environment_reference
    @reference_id bigint = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @reference_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@reference_id';
        RETURN 1;
    END;

    /* ---------------------------------------- Delete; table: environment_references */
    DELETE r
    FROM internal.environment_references AS r
    WHERE r.reference_id = @reference_id;
    IF @@ROWCOUNT = 0
    BEGIN
        DECLARE @text nvarchar(20) = CONVERT(nvarchar(20), @reference_id);
        EXEC internal.raise_error @number = 51112, @a1 = @text, @a2 = N'';
        RETURN 1;
    END;

    RETURN 0;
END;
GO
