SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.complete_tasks
    Reports the end of many attempts in one call: @Completions is a JSON array of {"taskId",
    "leaseToken", "outcome" (succeeded, failed, canceled, abandoned), "errorMessage"}. Successes of tasks nobody
    asked to stop are recorded with one statement per table; every other completion goes through
    internal.end_task_attempt, as internal.complete_task does. Each completion stands alone: one whose
    token is no longer the task's changes nothing and comes back with error_number 51302.
    With @WorkerAgentId (the master passes the worker whose certificate it checked), only that worker's
    leases count: another worker's lease is refused as a stale token is (51302).
    Caller: the master (scaleout_master). Result set: one row per completion, in order: task_id,
    execution_status, will_retry, error_number.
    Errors: 51000, 51001 (not a JSON array of completions).
*/
CREATE OR ALTER PROCEDURE internal.complete_tasks
    @Completions nvarchar(max) = NULL,
    @WorkerAgentId uniqueidentifier = NULL,
    @now datetimeoffset(7) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @Completions IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@Completions';
        RETURN 1;
    END;

    DECLARE @input TABLE (
        n int NOT NULL PRIMARY KEY,
        task_id uniqueidentifier NULL,
        lease_token uniqueidentifier NULL,
        outcome varchar(16) NULL,
        error_message nvarchar(4000) NULL
    );

    /* The first character that is not white space: JSON may start with a newline or a tab. */
    DECLARE @first nchar(1) = SUBSTRING(@Completions, PATINDEX(N'%[^ ' + NCHAR(9) + NCHAR(10) + NCHAR(13) + N']%', @Completions), 1);
    IF ISJSON(@Completions) = 1 AND @first = N'['
        INSERT INTO @input (n, task_id, lease_token, outcome, error_message)
        SELECT
            CONVERT(int, c.[key]) + 1,
            TRY_CONVERT(uniqueidentifier, JSON_VALUE(c.value, N'$.taskId')),
            TRY_CONVERT(uniqueidentifier, JSON_VALUE(c.value, N'$.leaseToken')),
            CONVERT(varchar(16), JSON_VALUE(c.value, N'$.outcome')),
            /* OPENJSON's value reads past 4,000 characters, where JSON_VALUE returns NULL. */
            LEFT(e.error_message, 4000)
        FROM OPENJSON(@Completions) AS c
        OUTER APPLY (
            SELECT f.value AS error_message
            FROM OPENJSON(c.value) AS f
            WHERE f.[key] = N'errorMessage' AND f.[type] = 1
        ) AS e
        WHERE c.[type] = 5;

    IF
        ISJSON(@Completions) = 0
        OR @first <> N'['
        OR (SELECT COUNT(*) FROM OPENJSON(@Completions) AS c) <> (SELECT COUNT(*) FROM @input)
        OR EXISTS (
            SELECT 1
            FROM @input AS i
            WHERE
                i.task_id IS NULL
                OR i.lease_token IS NULL
                OR i.outcome IS NULL
                OR i.outcome COLLATE Latin1_General_BIN2 NOT IN ('succeeded', 'failed', 'canceled', 'abandoned')
        )
    BEGIN
        DECLARE @given nvarchar(60) = LEFT(@Completions, 60);
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@Completions',
            @a2 = @given,
            @a3 = N'a JSON array of {taskId, leaseToken, outcome: succeeded, failed, canceled or abandoned, errorMessage}';
        RETURN 1;
    END;

    SET @now = internal.clock(@now);
    DECLARE @results TABLE (
        n int NOT NULL PRIMARY KEY,
        task_id uniqueidentifier NOT NULL,
        execution_status int NULL,
        will_retry bit NULL,
        error_number int NULL
    );
    DECLARE @done TABLE (
        n int NOT NULL PRIMARY KEY,
        task_id uniqueidentifier NOT NULL,
        execution_id bigint NOT NULL,
        lease_token uniqueidentifier NOT NULL
    );
    DECLARE @n int;
    DECLARE @task_id uniqueidentifier;
    DECLARE @lease_token uniqueidentifier;
    DECLARE @outcome varchar(16);
    DECLARE @error_message nvarchar(4000);
    DECLARE @status int;
    DECLARE @retry bit;
    DECLARE @lock_id uniqueidentifier;
    DECLARE @locked int;

    /* ---------------------------------------- Complete; table order: tasks, operations, task_attempts, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        -- Every task of the batch is locked first, one seek each in key order (index and row): two
        -- masters with overlapping batches then wait for each other instead of deadlocking, whatever
        -- plan the set-based updates below get.
        SET @lock_id = (SELECT MIN(i.task_id) FROM @input AS i);
        WHILE @lock_id IS NOT NULL
        BEGIN
            SELECT @locked = COUNT(t.status)
            FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
            WHERE t.task_id = @lock_id;
            SET @lock_id = (SELECT MIN(i.task_id) FROM @input AS i WHERE i.task_id > @lock_id);
        END;

        -- Fast path: plain successes, one statement per table.
        UPDATE t
        SET
            t.status = 5,
            t.lease_token = NULL,
            t.lease_expires_at = NULL,
            t.last_updated_time = @now
        OUTPUT i.n, inserted.task_id, inserted.execution_id, i.lease_token INTO @done (n, task_id, execution_id, lease_token)
        FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
        INNER JOIN @input AS i
            ON i.task_id = t.task_id AND i.lease_token = t.lease_token
        WHERE
            i.outcome = 'succeeded'
            AND t.status IN (2, 3)
            AND t.is_cancelled = 0
            AND (@WorkerAgentId IS NULL OR t.worker_agent_id = @WorkerAgentId);

        UPDATE o
        SET o.status = 7, o.end_time = @now
        FROM internal.operations AS o
        INNER JOIN @done AS d
            ON d.execution_id = o.operation_id;

        UPDATE a
        SET a.ended_time = @now, a.outcome = 'succeeded'
        FROM internal.task_attempts AS a
        INNER JOIN @done AS d
            ON d.execution_id = a.execution_id AND d.lease_token = a.lease_token;

        INSERT INTO @results (n, task_id, execution_status, will_retry, error_number)
        SELECT
            d.n,
            d.task_id,
            7,
            0,
            NULL
        FROM @done AS d;

        -- Everything else, one at a time, as internal.complete_task does, in key order: two masters
        -- with overlapping batches then wait for each other instead of deadlocking.
        SET @n = (
            SELECT TOP (1) i.n
            FROM @input AS i
            WHERE NOT EXISTS (SELECT 1 FROM @results AS r WHERE r.n = i.n)
            ORDER BY i.task_id, i.n
        );
        WHILE @n IS NOT NULL
        BEGIN
            SELECT
                @task_id = i.task_id,
                @lease_token = i.lease_token,
                @outcome = i.outcome,
                @error_message = i.error_message
            FROM @input AS i
            WHERE i.n = @n;

            IF EXISTS (
                SELECT 1
                FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
                WHERE
                    t.task_id = @task_id
                    AND t.lease_token = @lease_token
                    AND t.status IN (2, 3)
                    AND (@WorkerAgentId IS NULL OR t.worker_agent_id = @WorkerAgentId)
            )
            BEGIN
                EXEC internal.end_task_attempt
                    @TaskId = @task_id,
                    @Outcome = @outcome,
                    @ErrorMessage = @error_message,
                    @now = @now,
                    @ExecutionStatus = @status OUTPUT,
                    @WillRetry = @retry OUTPUT;
                INSERT INTO @results (n, task_id, execution_status, will_retry, error_number)
                VALUES (@n, @task_id, @status, @retry, NULL);
            END;
            ELSE
                INSERT INTO @results (n, task_id, execution_status, will_retry, error_number)
                VALUES (@n, @task_id, NULL, NULL, 51302);

            SET @n = (
                SELECT TOP (1) i.n
                FROM @input AS i
                WHERE NOT EXISTS (SELECT 1 FROM @results AS r WHERE r.n = i.n)
                ORDER BY i.task_id, i.n
            );
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT
        r.task_id,
        r.execution_status,
        r.will_retry,
        r.error_number
    FROM @results AS r
    ORDER BY r.n;

    RETURN 0;
END;
GO
