SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.add_execution_worker
    Lets one more worker agent run an execution created with @useanyworker = 0. Adding a worker
    twice changes nothing.
    Caller: ssis_admin, ssis_cluster_executor. Returns 0.
    Errors: 51000 an argument is NULL; 51001 the reserved id; 51101 no such worker agent; 51106 no
    such execution; 51206 the execution may run on any worker.
*/
CREATE OR ALTER PROCEDURE [catalog].add_execution_worker
    @execution_id bigint = NULL,
    @workeragent_id uniqueidentifier = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @execution_id IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@execution_id', NULL, NULL) + N' ';
    IF @workeragent_id IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@workeragent_id', NULL, NULL) + N' ';
    ELSE IF @workeragent_id = '11111111-1111-1111-1111-111111111111'
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@workeragent_id',
                N'11111111-1111-1111-1111-111111111111',
                N'this id is reserved: it means any worker'
            )
            + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @any bit = NULL;
    DECLARE @text nvarchar(36);

    SELECT @any = e.use_any_worker
    FROM internal.executions AS e
    WHERE e.execution_id = @execution_id;

    IF @any IS NULL
    BEGIN
        SET @text = CONVERT(nvarchar(20), @execution_id);
        EXEC internal.raise_error @number = 51106, @a1 = @text;
        RETURN 1;
    END;
    DECLARE @permission_what nvarchar(4000) = N'execution ' + CONVERT(nvarchar(20), @execution_id);
    EXEC internal.require_permission @object_type = 4, @object_id = @execution_id, @permission_type = 2, @what = @permission_what;
    IF @any = 1
    BEGIN
        SET @text = CONVERT(nvarchar(20), @execution_id);
        EXEC internal.raise_error @number = 51206, @a1 = @text;
        RETURN 1;
    END;
    IF NOT EXISTS (SELECT 1 FROM internal.worker_agents AS w WHERE w.worker_agent_id = @workeragent_id)
    BEGIN
        SET @text = LOWER(CONVERT(nvarchar(36), @workeragent_id));
        EXEC internal.raise_error @number = 51101, @a1 = @text;
        RETURN 1;
    END;

    /* ---------------------------------------- Add; table: execution_workers */
    INSERT INTO internal.execution_workers (execution_id, worker_agent_id)
    SELECT
        @execution_id,
        @workeragent_id
    WHERE NOT EXISTS (
        SELECT 1
        FROM internal.execution_workers AS ew WITH (UPDLOCK, HOLDLOCK)
        WHERE ew.execution_id = @execution_id AND ew.worker_agent_id = @workeragent_id
    );

    RETURN 0;
END;
GO
