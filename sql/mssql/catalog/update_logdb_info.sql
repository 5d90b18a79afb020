SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.update_logdb_info
    Sets the SQL Server that workers write execution logs to (CLUSTER_LOGDB_SERVER) and the
    connection string they use (its login must be in ssis_cluster_worker). The connection string is
    kept out of every view; only the master (scaleout_master) reads it back, to hand it to enabled
    workers. Workers pick a change up when they next start.
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
    Errors: 51000 an argument is NULL; 51001 an argument is empty or too long (the connection string:
    at most 3900 characters); 51404 no protection key to encrypt it with.
*/
CREATE OR ALTER PROCEDURE [catalog].update_logdb_info
    @server_name nvarchar(max) = NULL,
    @connection_string nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @server_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@server_name', NULL, NULL) + N' ';
    ELSE IF LTRIM(RTRIM(@server_name)) = N''
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message + internal.error_text(51001, N'@server_name', N'', N'a server name') + N' ';
    IF @connection_string IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@connection_string', NULL, NULL) + N' ';
    ELSE IF LTRIM(RTRIM(@connection_string)) = N''
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@connection_string', N'', N'a connection string') + N' ';

    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@server_name', @server_name, 256)
        + internal.length_problem(N'@connection_string', @connection_string, 3900);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @caller nvarchar(256) = ORIGINAL_LOGIN();
    DECLARE @stored nvarchar(max);

    /* ---------------------------------------- Store; table order: master_properties, logdb_connection */
    BEGIN TRY
        /* Stored encrypted (internal.protect_value), like a sensitive parameter value. */
        EXEC internal.open_protection_key @what = N'@connection_string';
        SET @stored = internal.protect_value(@connection_string);
        BEGIN TRANSACTION;

        UPDATE mp
        SET mp.property_value = @server_name
        FROM internal.master_properties AS mp
        WHERE mp.property_name = N'CLUSTER_LOGDB_SERVER';

        UPDATE lc
        SET
            lc.server_name = @server_name,
            lc.connection_string = @stored,
            lc.updated_time = SYSUTCDATETIME(),
            lc.updated_by = @caller
        FROM internal.logdb_connection AS lc WITH (UPDLOCK, HOLDLOCK)
        WHERE lc.id = 1;

        IF @@ROWCOUNT = 0
            INSERT INTO internal.logdb_connection (id, server_name, connection_string, updated_by)
            VALUES (1, @server_name, @stored, @caller);

        COMMIT TRANSACTION;
        EXEC internal.close_protection_key;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        EXEC internal.close_protection_key;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
