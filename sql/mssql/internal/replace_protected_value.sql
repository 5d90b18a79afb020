SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.replace_protected_value
    Re-encrypts one stored value with the current protection key: @Value is its clear text, and
    the row changes only if it still holds @Expected (a value set again meanwhile is already under
    the current key). @Replaced says whether it changed.
    Caller: DBA (ssis_admin), through scaleout catalog key rotate.
    Errors: 51000 a required argument is NULL; 51001 unknown @Kind; 51404 (through
    internal.open_protection_key) no current key.
*/
CREATE OR ALTER PROCEDURE internal.replace_protected_value
    @Kind varchar(8000) = NULL,
    @RowId bigint = NULL,
    @Expected nvarchar(max) = NULL,
    @Value nvarchar(max) = NULL,
    @Replaced bit = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @Kind IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Kind', NULL, NULL) + N' ';
    ELSE IF @Kind NOT IN ('execution_parameter', 'design_default', 'default', 'environment_variable', 'logdb')
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@Kind', @Kind, N'execution_parameter, design_default, default, environment_variable or logdb')
            + N' ';
    IF @RowId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@RowId', NULL, NULL) + N' ';
    IF @Expected IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Expected', NULL, NULL) + N' ';
    IF @Value IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Value', NULL, NULL) + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @new nvarchar(max);
    DECLARE @count int = 0;

    /* ---------------------------------------- Replace; one row of one table */
    BEGIN TRY
        EXEC internal.open_protection_key @what = N'@Value';
        SET @new = internal.protect_value(@Value);
        BEGIN TRANSACTION;
        IF @Kind = 'execution_parameter'
            UPDATE pv SET pv.parameter_value = @new
            FROM internal.execution_parameter_values AS pv
            WHERE pv.execution_parameter_id = @RowId AND pv.parameter_value = @Expected;
        ELSE IF @Kind = 'design_default'
            UPDATE op SET op.design_default_value = @new
            FROM internal.object_parameters AS op
            WHERE op.parameter_id = @RowId AND op.design_default_value = @Expected;
        ELSE IF @Kind = 'default'
            UPDATE op SET op.default_value = @new
            FROM internal.object_parameters AS op
            WHERE op.parameter_id = @RowId AND op.default_value = @Expected;
        ELSE IF @Kind = 'environment_variable'
            UPDATE ev SET ev.value = @new
            FROM internal.environment_variables AS ev
            WHERE ev.variable_id = @RowId AND ev.value = @Expected;
        ELSE
            UPDATE lc SET lc.connection_string = @new
            FROM internal.logdb_connection AS lc
            WHERE lc.id = @RowId AND lc.connection_string = @Expected;
        SET @count = @@ROWCOUNT;
        COMMIT TRANSACTION;
        EXEC internal.close_protection_key;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        EXEC internal.close_protection_key;
        THROW;
    END CATCH;

    SET @Replaced = CASE WHEN @count > 0 THEN 1 ELSE 0 END;
    RETURN 0;
END;
GO
