SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.delete_worker_agent
    Removes a worker agent, its certificate trust, machine properties and counters (Scale Out
    Manager's "Delete worker"). Refused while the worker holds tasks, unless @Force = 1: then its
    attempts end as if their leases had expired (retried while attempts remain).
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
    Errors: 51000 @WorkerAgentId is NULL (NULL @Force means 0); 51001 the reserved id; 51101 no such worker
    agent; 51203 the worker holds running tasks.
*/
CREATE OR ALTER PROCEDURE [catalog].delete_worker_agent
    @WorkerAgentId uniqueidentifier = NULL,
    @Force bit = 0
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

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
    /* NULL takes the default, as on PostgreSQL (where a bit parameter cannot tell NULL from omitted). */
    SET @Force = COALESCE(@Force, 0);

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
    DECLARE @running int = NULL;
    DECLARE @running_text nvarchar(20);
    DECLARE @held TABLE (seq int IDENTITY (1, 1) PRIMARY KEY, task_id uniqueidentifier NOT NULL);
    DECLARE @seq int = 1;
    DECLARE @task_id uniqueidentifier;
    DECLARE @status int;
    DECLARE @retry bit;

    /* ---------------------------------------- Delete; table order: worker_agents (cascades to its certificate,
       properties, counters), tasks, operations, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        IF NOT EXISTS (
            SELECT 1
            FROM internal.worker_agents AS w WITH (UPDLOCK, HOLDLOCK)
            WHERE w.worker_agent_id = @WorkerAgentId
        )
            EXEC internal.raise_error @number = 51101, @a1 = @id_text;

        INSERT INTO @held (task_id)
        SELECT t.task_id
        FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
        WHERE t.worker_agent_id = @WorkerAgentId AND t.status IN (2, 3);
        SET @running = @@ROWCOUNT;

        IF @running > 0 AND @Force = 0
        BEGIN
            SET @running_text = CONVERT(nvarchar(20), @running);
            EXEC internal.raise_error @number = 51203, @a1 = @id_text, @a2 = @running_text;
        END;

        WHILE @seq <= @running
        BEGIN
            SELECT @task_id = h.task_id FROM @held AS h WHERE h.seq = @seq;
            EXEC internal.end_task_attempt
                @TaskId = @task_id,
                @Outcome = 'expired',
                @ErrorMessage = N'The worker agent was deleted.',
                @now = NULL,
                @ExecutionStatus = @status OUTPUT,
                @WillRetry = @retry OUTPUT;
            SET @seq = @seq + 1;
        END;

        DELETE w
        FROM internal.worker_agents AS w
        WHERE w.worker_agent_id = @WorkerAgentId;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
