SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.configure_catalog
    Sets a catalog property: DEFAULT_EXECUTION_MODE (0 or 1), MAX_PROJECT_VERSIONS (1 to 9999),
    VERSION_CLEANUP_ENABLED and OPERATION_CLEANUP_ENABLED (TRUE or FALSE), RETENTION_WINDOW (days:
    1 to 36500, or -1 to keep everything), SERVER_LOGGING_LEVEL (0 to 4). Records a
    configure_catalog operation (1000). Unlike SSIS, it may run while executions are active.
    Caller: DBA (ssis_admin). Returns 0.
    Errors: 51000 an argument is NULL; 51001 unknown or read-only property, or invalid value.
*/
CREATE OR ALTER PROCEDURE [catalog].configure_catalog
    @property_name nvarchar(4000) = NULL,
    @property_value nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @property_name IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@property_name';
        RETURN 1;
    END;
    IF @property_value IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@property_value';
        RETURN 1;
    END;

    DECLARE @name nvarchar(4000) = UPPER(LTRIM(RTRIM(@property_name)));
    DECLARE @value nvarchar(4000) = LTRIM(RTRIM(@property_value));
    DECLARE @digits bit = CASE
        WHEN LEN(@value) BETWEEN 1 AND 5 AND @value COLLATE Latin1_General_BIN2 NOT LIKE N'%[^0-9]%' THEN 1
        ELSE 0
    END;
    DECLARE @accepted nvarchar(400);
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    DECLARE @now datetimeoffset(7) = SYSUTCDATETIME();

    /* TRUE or FALSE, as SSIS stores them; 1, 0, true and false are taken as well. */
    IF @name IN (N'VERSION_CLEANUP_ENABLED', N'OPERATION_CLEANUP_ENABLED')
        SET @value = CASE internal.bit_value(@value) WHEN 1 THEN N'TRUE' WHEN 0 THEN N'FALSE' ELSE UPPER(@value) END;

    SET @accepted = CASE @name
        WHEN N'DEFAULT_EXECUTION_MODE' THEN CASE WHEN @value IN (N'0', N'1') THEN NULL ELSE N'0 (server) or 1 (Scale Out)' END
        WHEN N'MAX_PROJECT_VERSIONS'
            THEN CASE
                WHEN @digits = 1 AND LEN(@value) <= 4 AND TRY_CONVERT(int, @value) >= 1 THEN NULL
                ELSE N'a whole number from 1 to 9999'
            END
        WHEN N'VERSION_CLEANUP_ENABLED' THEN CASE WHEN @value IN (N'TRUE', N'FALSE') THEN NULL ELSE N'TRUE or FALSE' END
        WHEN N'OPERATION_CLEANUP_ENABLED' THEN CASE WHEN @value IN (N'TRUE', N'FALSE') THEN NULL ELSE N'TRUE or FALSE' END
        WHEN N'RETENTION_WINDOW'
            THEN CASE
                WHEN @value = N'-1' OR (@digits = 1 AND TRY_CONVERT(int, @value) BETWEEN 1 AND 36500) THEN NULL
                ELSE N'days from 1 to 36500, or -1 to keep everything'
            END
        WHEN N'SERVER_LOGGING_LEVEL'
            THEN CASE WHEN @value IN (N'0', N'1', N'2', N'3', N'4') THEN NULL ELSE N'0, 1, 2, 3 or 4' END
    END;

    IF @name NOT IN (
        N'DEFAULT_EXECUTION_MODE', N'MAX_PROJECT_VERSIONS', N'VERSION_CLEANUP_ENABLED',
        N'OPERATION_CLEANUP_ENABLED', N'RETENTION_WINDOW', N'SERVER_LOGGING_LEVEL'
    )
    BEGIN
        /* An unknown property is named as such, not as a bad value. */
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@property_name',
            @a2 = @property_name,
            @a3 = N'a property that can be set: DEFAULT_EXECUTION_MODE, MAX_PROJECT_VERSIONS, VERSION_CLEANUP_ENABLED, OPERATION_CLEANUP_ENABLED, RETENTION_WINDOW or SERVER_LOGGING_LEVEL (IS_SCALEOUT_ENABLED through catalog.enable_scaleout)';
        RETURN 1;
    END;
    IF @accepted IS NOT NULL
    BEGIN
        EXEC internal.raise_error @number = 51001, @a1 = N'@property_value', @a2 = @property_value, @a3 = @accepted;
        RETURN 1;
    END;

    /* ---------------------------------------- Set; table order: catalog_properties, operations */
    BEGIN TRY
        BEGIN TRANSACTION;

        UPDATE cp
        SET cp.property_value = @value
        FROM internal.catalog_properties AS cp
        WHERE cp.property_name = @name;

        INSERT INTO internal.operations (
            operation_type, created_time, status, start_time, end_time, caller_name, server_name, machine_name
        )
        VALUES (1000, @now, 7, @now, @now, @caller, @@SERVERNAME, N'');

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
