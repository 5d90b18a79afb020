SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.set_worker_agent_property
    Sets one property of a worker agent: DisplayName (up to 256 characters), Description, Tags
    (comma-separated; NULL or empty clears them) or MaxTaskCount (1 to 1000). Property names are
    matched without regard to case.
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
    Errors: 51000 @WorkerAgentId or @PropertyName is NULL; 51001 reserved id, unknown property name
    or invalid value; 51101 no such worker agent.
*/
CREATE OR ALTER PROCEDURE [catalog].set_worker_agent_property
    @WorkerAgentId uniqueidentifier = NULL,
    @PropertyName nvarchar(4000) = NULL,
    @PropertyValue nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';
    DECLARE @property nvarchar(256) = LOWER(@PropertyName);
    DECLARE @max_task_count int = TRY_CONVERT(int, @PropertyValue);

    IF @WorkerAgentId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@WorkerAgentId', NULL, NULL) + N' ';
    ELSE IF @WorkerAgentId = '11111111-1111-1111-1111-111111111111'
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@WorkerAgentId',
                N'11111111-1111-1111-1111-111111111111',
                N'this id is reserved: it means any worker'
            )
            + N' ';
    IF @PropertyName IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@PropertyName', NULL, NULL) + N' ';
    ELSE IF @property NOT IN (N'displayname', N'description', N'tags', N'maxtaskcount')
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@PropertyName', @PropertyName, N'one of DisplayName, Description, Tags, MaxTaskCount'
            )
            + N' ';
    ELSE IF @property = N'displayname' AND LEN(@PropertyValue + N'.') - 1 > 256
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@PropertyValue', LEFT(@PropertyValue, 40) + N'...', N'at most 256 characters')
            + N' ';
    ELSE IF @property = N'maxtaskcount' AND (@max_task_count IS NULL OR @max_task_count NOT BETWEEN 1 AND 1000)
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@PropertyValue', @PropertyValue, N'a whole number from 1 to 1000')
            + N' ';

    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@PropertyValue', @PropertyValue, 4000);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    /* ---------------------------------------- Set; table: worker_agents */
    UPDATE w
    SET
        w.display_name = CASE WHEN @property = N'displayname' THEN @PropertyValue ELSE w.display_name END,
        w.description = CASE WHEN @property = N'description' THEN @PropertyValue ELSE w.description END,
        w.tags = CASE WHEN @property = N'tags' THEN NULLIF(LTRIM(RTRIM(@PropertyValue)), N'') ELSE w.tags END,
        w.max_task_count = CASE WHEN @property = N'maxtaskcount' THEN @max_task_count ELSE w.max_task_count END
    FROM internal.worker_agents AS w
    WHERE w.worker_agent_id = @WorkerAgentId;

    IF @@ROWCOUNT = 0
    BEGIN
        DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
        EXEC internal.raise_error @number = 51101, @a1 = @id_text;
        RETURN 1;
    END;

    RETURN 0;
END;
GO
