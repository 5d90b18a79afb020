SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.release_tasks
    Gives back claimed tasks that never ran, without counting the attempt: the master releases the
    tasks of a long poll whose worker was gone before the answer reached it, and a worker releases
    tasks it received but did not start (it was stopping, or it restarted before the package began).
    @Leases is a JSON array of {"taskId", "leaseToken"} (at most 1000). Each task goes back to the
    queue at its old place (internal.end_task_attempt, outcome 'released'); a task whose stop was
    asked meanwhile is canceled. Each lease stands alone: one whose token is no longer the task's,
    or that another worker holds, changes nothing and comes back with error_number 51302. Tasks are
    locked in key order.
    Caller: the master (scaleout_master). Result set: one row per lease, in the order given:
    task_id, execution_status, error_number.
    Errors: 51000, 51001.
*/
CREATE OR ALTER PROCEDURE internal.release_tasks
    @WorkerAgentId uniqueidentifier = NULL,
    @Leases nvarchar(max) = NULL,
    @now datetimeoffset(7) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @WorkerAgentId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@WorkerAgentId', NULL, NULL) + N' ';
    IF @Leases IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Leases', NULL, NULL) + N' ';
    ELSE IF internal.is_valid_lease_list(@Leases) = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@Leases', LEFT(@Leases, 100), N'a JSON array of at most 1000 {taskId, leaseToken}'
            )
            + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @wanted TABLE (
        task_id uniqueidentifier NOT NULL,
        lease_token uniqueidentifier NOT NULL,
        PRIMARY KEY (task_id, lease_token)
    );
    DECLARE @released TABLE (
        task_id uniqueidentifier NOT NULL,
        lease_token uniqueidentifier NOT NULL,
        execution_status int NOT NULL,
        PRIMARY KEY (task_id, lease_token)
    );
    DECLARE @task_id uniqueidentifier;
    DECLARE @lease_token uniqueidentifier;
    DECLARE @status int;
    DECLARE @retry bit;

    INSERT INTO @wanted (task_id, lease_token)
    SELECT DISTINCT
        CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.taskId')),
        CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.leaseToken'))
    FROM OPENJSON(@Leases) AS j;

    /* ---------------------------------------- Release; table order: tasks, operations, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT TOP (1)
            @task_id = w.task_id,
            @lease_token = w.lease_token
        FROM @wanted AS w
        ORDER BY w.task_id, w.lease_token;

        WHILE @task_id IS NOT NULL
        BEGIN
            IF EXISTS (
                SELECT 1
                FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
                WHERE
                    t.task_id = @task_id
                    AND t.lease_token = @lease_token
                    AND t.worker_agent_id = @WorkerAgentId
                    AND t.status IN (2, 3)
            )
            BEGIN
                EXEC internal.end_task_attempt
                    @TaskId = @task_id,
                    @Outcome = 'released',
                    @ErrorMessage = NULL,
                    @now = @now,
                    @ExecutionStatus = @status OUTPUT,
                    @WillRetry = @retry OUTPUT;
                INSERT INTO @released (task_id, lease_token, execution_status) VALUES (@task_id, @lease_token, @status);
            END;
            DELETE FROM @wanted WHERE task_id = @task_id AND lease_token = @lease_token;
            SET @task_id = NULL;
            SELECT TOP (1)
                @task_id = w.task_id,
                @lease_token = w.lease_token
            FROM @wanted AS w
            ORDER BY w.task_id, w.lease_token;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT
        CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.taskId')) AS task_id,
        r.execution_status,
        CASE WHEN r.task_id IS NULL THEN 51302 END AS error_number
    FROM OPENJSON(@Leases) AS j
    LEFT OUTER JOIN @released AS r
        ON
            r.task_id = CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.taskId'))
            AND r.lease_token = CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.leaseToken'))
    ORDER BY CONVERT(int, j.[key]);

    RETURN 0;
END;
GO
