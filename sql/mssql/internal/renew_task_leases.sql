SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.renew_task_leases
    A worker's task heartbeat for every attempt it holds, in one call. @Leases is a JSON array of
    {"taskId", "leaseToken"} (at most 1000). Each lease the worker still holds is extended by
    @LeaseMs from now and its task marked running (3); the first renewal of a claim is the worker's
    acknowledgement that it received the task — a claim never acknowledged costs no attempt
    (internal.dealwith_expired_tasks). Each lease stands alone: one whose token is no longer the
    task's, or that another worker holds, changes nothing and comes back with error_number 51302.
    The leases are visited in key order, so two calls never deadlock on each other.
    Caller: the master (scaleout_master), for the worker whose certificate it checked. Result set:
    one row per lease, in the order given: task_id, is_cancelled, expires_at, error_number.
    Errors: 51000, 51001.
*/
CREATE OR ALTER PROCEDURE internal.renew_task_leases
    @WorkerAgentId uniqueidentifier = NULL,
    @Leases nvarchar(max) = NULL,
    @LeaseMs int = 60000,
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
    IF @LeaseMs IS NULL OR @LeaseMs NOT BETWEEN 1000 AND 86400000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@LeaseMs', CONVERT(nvarchar(20), @LeaseMs), N'milliseconds from 1000 to 86400000'
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
        n int NOT NULL,
        lease_token uniqueidentifier NOT NULL,
        PRIMARY KEY (task_id, n)
    );
    DECLARE @renewed TABLE (
        task_id uniqueidentifier NOT NULL PRIMARY KEY,
        lease_token uniqueidentifier NOT NULL,
        is_cancelled bit NOT NULL,
        lease_expires_at datetimeoffset(7) NOT NULL
    );

    INSERT INTO @wanted (task_id, n, lease_token)
    SELECT
        CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.taskId')),
        CONVERT(int, j.[key]),
        CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.leaseToken'))
    FROM OPENJSON(@Leases) AS j;

    /* ---------------------------------------- Renew, fenced by token and worker; table: tasks */
    UPDATE t
    SET
        t.status = 3,
        t.lease_expires_at = DATEADD(MILLISECOND, @LeaseMs, @now),
        t.lease_ms = @LeaseMs,
        t.last_updated_time = @now
    OUTPUT inserted.task_id, inserted.lease_token, inserted.is_cancelled, inserted.lease_expires_at
    INTO @renewed (task_id, lease_token, is_cancelled, lease_expires_at)
    FROM internal.tasks AS t WITH (ROWLOCK)
    WHERE
        t.worker_agent_id = @WorkerAgentId
        AND t.status IN (2, 3)
        AND EXISTS (
            SELECT 1
            FROM @wanted AS w
            WHERE w.task_id = t.task_id AND w.lease_token = t.lease_token
        );

    SELECT
        w.task_id,
        r.is_cancelled,
        r.lease_expires_at AS expires_at,
        CASE WHEN r.task_id IS NULL THEN 51302 END AS error_number
    FROM @wanted AS w
    LEFT OUTER JOIN @renewed AS r
        ON r.task_id = w.task_id AND r.lease_token = w.lease_token
    ORDER BY w.n;

    RETURN 0;
END;
GO
