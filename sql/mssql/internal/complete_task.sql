SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.complete_task
    A worker reports how the attempt it holds ended: @Outcome 'succeeded', 'failed' (@ErrorMessage
    says why), 'canceled', or 'abandoned' (the worker restarted while the package ran: the run was
    ended with the worker, and it is retried at once, as an expired lease is). A failure goes back
    to the queue while attempts remain (see internal.end_task_attempt). Refused (51302) when the token is no longer the task's, so a late
    report from an attempt that was handed to another worker changes nothing: no execution ends twice.
    With @WorkerAgentId (the master passes the worker whose certificate it checked), only that worker's
    leases count: another worker's lease is refused as a stale token is (51302).
    Caller: the master (scaleout_master). Outputs: @ExecutionStatus (the execution's status now),
    @WillRetry.
    Errors: 51000, 51001 (@Outcome), 51302.
*/
CREATE OR ALTER PROCEDURE internal.complete_task
    @TaskId uniqueidentifier = NULL,
    @LeaseToken uniqueidentifier = NULL,
    @Outcome varchar(8000) = NULL,
    @ErrorMessage nvarchar(max) = NULL,
    @WorkerAgentId uniqueidentifier = NULL,
    @now datetimeoffset(7) = NULL,
    @ExecutionStatus int = NULL OUTPUT,
    @WillRetry bit = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @TaskId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@TaskId', NULL, NULL) + N' ';
    IF @LeaseToken IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@LeaseToken', NULL, NULL) + N' ';
    IF @Outcome IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Outcome', NULL, NULL) + N' ';
    ELSE IF @Outcome COLLATE Latin1_General_BIN2 NOT IN ('succeeded', 'failed', 'canceled', 'abandoned')
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@Outcome', @Outcome, N'succeeded, failed, canceled or abandoned') + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @error nvarchar(4000) = LEFT(@ErrorMessage, 4000);
    DECLARE @task_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @TaskId));
    DECLARE @token_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @LeaseToken));

    /* ---------------------------------------- Fenced by the token; table order: tasks, operations, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        IF NOT EXISTS (
            SELECT 1
            FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
            WHERE
                t.task_id = @TaskId
                AND t.lease_token = @LeaseToken
                AND t.status IN (2, 3)
                AND (@WorkerAgentId IS NULL OR t.worker_agent_id = @WorkerAgentId)
        )
            EXEC internal.raise_error @number = 51302, @a1 = @task_text, @a2 = @token_text;

        EXEC internal.end_task_attempt
            @TaskId = @TaskId,
            @Outcome = @Outcome,
            @ErrorMessage = @error,
            @now = @now,
            @ExecutionStatus = @ExecutionStatus OUTPUT,
            @WillRetry = @WillRetry OUTPUT;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
