SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.create_folder
    Creates a folder for projects. Names: 1 to 128 characters, no leading or trailing space, none of
    " < > | or control characters, not starting with @.
    Caller: DBA (ssis_admin). Output: @folder_id.
    Errors: 51000 @folder_name is NULL; 51001 invalid name; 51204 the folder exists.
*/
CREATE OR ALTER PROCEDURE [catalog].create_folder
    @folder_name nvarchar(4000) = NULL,
    @folder_id bigint = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @folder_name IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@folder_name';
        RETURN 1;
    END;
    IF internal.is_valid_object_name(@folder_name) = 0
    BEGIN
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@folder_name',
            @a2 = @folder_name,
            @a3 = N'1 to 128 characters, no leading or trailing space, none of " < > | or control characters, not starting with @';
        RETURN 1;
    END;

    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    SET @folder_id = NULL;

    /* ---------------------------------------- Create; table order: folders, object_permissions */
    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO internal.folders (name, created_by_name)
        SELECT
            @folder_name,
            @caller
        WHERE NOT EXISTS (
            SELECT 1
            FROM internal.folders AS f WITH (UPDLOCK, HOLDLOCK)
            WHERE f.name = @folder_name
        );
        IF @@ROWCOUNT = 0
            EXEC internal.raise_error @number = 51204, @a1 = @folder_name;

        SET @folder_id = SCOPE_IDENTITY();
        /* Its creator may manage who may do what in it, as in SSIS. */
        EXEC internal.grant_creator_permissions @object_type = 1, @object_id = @folder_id;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        SET @folder_id = NULL;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
