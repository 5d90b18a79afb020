SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.stop_operation
    Stops an execution. Unlike SSIS, an execution that has not reached a worker yet (created, or
    pending in the queue) is canceled at once (status 3). A running one becomes stopping (8): its
    worker learns of the stop at its next task heartbeat, kills the package and reports it
    canceled; if it never answers, the expired-task sweep cancels it. Records a stop operation
    (202), succeeded (7) when the execution is canceled.
    Caller: ssis_admin, ssis_cluster_executor. Returns 0.
    Errors: 51000; 51107 no such operation; 51210 not an execution, or it has ended; 51211 already
    stopping.
*/
CREATE OR ALTER PROCEDURE [catalog].stop_operation
    @operation_id bigint = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @operation_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@operation_id';
        RETURN 1;
    END;

    DECLARE @now datetimeoffset(7) = SYSUTCDATETIME();
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    DECLARE @task_status int = NULL;
    DECLARE @status int = NULL;
    DECLARE @type int;
    DECLARE @project_id bigint;
    DECLARE @project_name nvarchar(260);
    DECLARE @stop_id bigint;
    DECLARE @text nvarchar(20) = CONVERT(nvarchar(20), @operation_id);
    DECLARE @message nvarchar(400);

    /* ---------------------------------------- Stop; table order: tasks, operations, executions, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        SELECT @task_status = t.status
        FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
        WHERE t.execution_id = @operation_id;

        SELECT
            @status = o.status,
            @type = o.operation_type,
            @project_id = o.object_id,
            @project_name = o.object_name
        FROM internal.operations AS o WITH (UPDLOCK, ROWLOCK)
        WHERE o.operation_id = @operation_id;

        IF @status IS NULL
            EXEC internal.raise_error @number = 51107, @a1 = @text;
        DECLARE @permission_what nvarchar(4000) = N'operation ' + @text;
        EXEC internal.require_permission @object_type = 4, @object_id = @operation_id, @permission_type = 2, @what = @permission_what;
        IF @status = 8
            EXEC internal.raise_error @number = 51211, @a1 = @text;
        IF @type <> 200 OR @status NOT IN (1, 2, 5)
        BEGIN
            DECLARE @status_text nvarchar(20) = CONVERT(nvarchar(20), @status);
            EXEC internal.raise_error @number = 51210, @a1 = @text, @a2 = @status_text;
        END;
        IF @status = 5 AND @task_status IS NULL
            -- Started while we waited for the operation: lock the task it queued.
            SELECT @task_status = t.status
            FROM internal.tasks AS t WITH (UPDLOCK, ROWLOCK)
            WHERE t.execution_id = @operation_id;

        IF @status = 2 OR @task_status IN (2, 3)
        BEGIN
            -- Running: the worker is told at its next task heartbeat.
            UPDATE t
            SET t.is_cancelled = 1, t.cancel_requested_at = @now, t.last_updated_time = @now
            FROM internal.tasks AS t
            WHERE t.execution_id = @operation_id;

            INSERT INTO internal.operations (
                operation_type, created_time, object_type, object_id, object_name, status, start_time, caller_name,
                server_name, machine_name
            )
            VALUES (202, @now, 20, @project_id, @project_name, 2, @now, @caller, @@SERVERNAME, N'');
            SET @stop_id = SCOPE_IDENTITY();

            UPDATE o
            SET o.status = 8, o.stopped_by_name = @caller
            FROM internal.operations AS o
            WHERE o.operation_id = @operation_id;

            UPDATE e
            SET e.stop_operation_id = @stop_id
            FROM internal.executions AS e
            WHERE e.execution_id = @operation_id;

            SET @message = N'Stop requested by ' + @caller + N'; the worker stops the package at its next task heartbeat.';
            EXEC internal.add_operation_message @operation_id, 70, @message, @now;
        END;
        ELSE
        BEGIN
            -- Created or queued: canceled at once.
            UPDATE t
            SET
                t.status = 6,
                t.is_cancelled = 1,
                t.cancel_requested_at = @now,
                t.ready_at = NULL,
                t.last_updated_time = @now
            FROM internal.tasks AS t
            WHERE t.execution_id = @operation_id;

            INSERT INTO internal.operations (
                operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time,
                caller_name, server_name, machine_name
            )
            VALUES (202, @now, 20, @project_id, @project_name, 7, @now, @now, @caller, @@SERVERNAME, N'');
            SET @stop_id = SCOPE_IDENTITY();

            UPDATE o
            SET o.status = 3, o.end_time = @now, o.stopped_by_name = @caller
            FROM internal.operations AS o
            WHERE o.operation_id = @operation_id;

            UPDATE e
            SET e.stop_operation_id = @stop_id
            FROM internal.executions AS e
            WHERE e.execution_id = @operation_id;

            SET @message = N'Canceled by ' + @caller + N' before it reached a worker.';
            EXEC internal.add_operation_message @operation_id, 70, @message, @now;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
