SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.delete_environment_variable
    Deletes a variable from an environment. Parameters that reference it find it missing when an
    execution against the environment is created or started (51218).
    Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
    Returns 0.
    Errors: 51000, 51103 no such folder, 51110 no such environment, 51111 no such variable.
*/
CREATE OR ALTER PROCEDURE [catalog].delete_environment_variable
    @folder_name nvarchar(4000) = NULL,
    @environment_name nvarchar(4000) = NULL,
    @variable_name nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @folder_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@folder_name', NULL, NULL) + N' ';
    IF @environment_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@environment_name', NULL, NULL) + N' ';
    IF @variable_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@variable_name', NULL, NULL) + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @environment_id bigint = NULL;
    SELECT
        @folder_id = f.folder_id,
        @folder_name = f.name
    FROM internal.folders AS f
    WHERE f.name = @folder_name;
    IF @folder_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51103, @a1 = @folder_name;
        RETURN 1;
    END;
    SELECT
        @environment_id = en.environment_id,
        @environment_name = en.name
    FROM internal.environments AS en
    WHERE en.folder_id = @folder_id AND en.name = @environment_name;
    IF @environment_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51110, @a1 = @environment_name, @a2 = @folder_name;
        RETURN 1;
    END;
    DECLARE @permission_what nvarchar(4000) = N'environment ''' + @environment_name + N''' in folder ''' + @folder_name + N'''';
    EXEC internal.require_permission @object_type = 3, @object_id = @environment_id, @permission_type = 2, @what = @permission_what;

    /* ---------------------------------------- Delete; table: environment_variables */
    DELETE ev
    FROM internal.environment_variables AS ev
    WHERE ev.environment_id = @environment_id AND ev.name = @variable_name;
    IF @@ROWCOUNT = 0
    BEGIN
        EXEC internal.raise_error @number = 51111, @a1 = @environment_name, @a2 = @variable_name;
        RETURN 1;
    END;

    RETURN 0;
END;
GO
