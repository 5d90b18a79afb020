SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.end_task_attempt
    Ends the current attempt of a task the caller has locked, and moves its execution on:
      succeeded                 task 5, execution 7 succeeded
      canceled, or stop asked   task 6, execution 3 canceled; the stop operation succeeds (7)
      released, unacknowledged  the attempt never ran: the claim never reached its worker (its long
                                poll was gone, or the worker never acknowledged it before the lease
                                ran out), or the worker gave it back unstarted. Task back to the
                                queue (1) at its old place, execution 5 pending; the attempt is not
                                counted (executed_count goes back)
      failed, attempts left     task back to the queue (1), execution 5 pending; it waits
                                5 s * 2^(attempt-1) (at most 300 s), and for 60 s after that the
                                worker it failed on is passed over
      expired, abandoned, attempts left
                                the worker was lost (its lease expired) or restarted while the
                                package ran: back to the queue at once, any worker may take it
      failed, none left         task 4, execution 4 failed
      expired, abandoned, none left
                                task 4, execution 6 ended unexpectedly
    Every retry keeps the task's place in the queue (the claim takes ready tasks in the order they
    were first queued). A message in the execution's log says what happened. Callers:
    internal.complete_task, internal.complete_tasks, internal.release_tasks and the sweeps, inside
    their transaction. The attempt's row in internal.task_attempts gets its end and outcome.
    Table order: tasks, operations, task_attempts, operation_messages.
*/
CREATE OR ALTER PROCEDURE internal.end_task_attempt
    @TaskId uniqueidentifier = NULL,
    @Outcome varchar(8000) = NULL,
    @ErrorMessage nvarchar(max) = NULL,
    @now datetimeoffset(7) = NULL,
    @ExecutionStatus int = NULL OUTPUT,
    @WillRetry bit = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @execution_id bigint;
    DECLARE @executed_count int;
    DECLARE @max_executed_count int;
    DECLARE @is_cancelled bit;
    DECLARE @worker_agent_id uniqueidentifier;
    DECLARE @lease_token uniqueidentifier;
    DECLARE @machine nvarchar(256);
    DECLARE @delay int;
    DECLARE @ready datetimeoffset(7);
    DECLARE @stop_id bigint;
    DECLARE @message nvarchar(max);
    DECLARE @what nvarchar(max);
    DECLARE @lost bit = CASE WHEN @Outcome IN ('expired', 'abandoned') THEN 1 ELSE 0 END;
    DECLARE @refund bit = CASE WHEN @Outcome IN ('released', 'unacknowledged') THEN 1 ELSE 0 END;

    SET @now = internal.clock(@now);

    SELECT
        @execution_id = t.execution_id,
        @executed_count = t.executed_count,
        @max_executed_count = t.max_executed_count,
        @is_cancelled = t.is_cancelled,
        @worker_agent_id = t.worker_agent_id,
        @lease_token = t.lease_token
    FROM internal.tasks AS t
    WHERE t.task_id = @TaskId;

    SELECT @machine = COALESCE(w.display_name, w.machine_name)
    FROM internal.worker_agents AS w
    WHERE w.worker_agent_id = @worker_agent_id;
    SET @machine = COALESCE(@machine, LOWER(CONVERT(nvarchar(36), @worker_agent_id)), N'a worker');

    SELECT @stop_id = e.stop_operation_id
    FROM internal.executions AS e
    WHERE e.execution_id = @execution_id;

    SET @WillRetry = 0;

    IF @Outcome = 'succeeded'
    BEGIN
        UPDATE t
        SET t.status = 5, t.lease_token = NULL, t.lease_expires_at = NULL, t.last_updated_time = @now
        FROM internal.tasks AS t
        WHERE t.task_id = @TaskId;
        SET @ExecutionStatus = 7;
    END;
    ELSE IF @Outcome = 'canceled' OR @is_cancelled = 1
    BEGIN
        UPDATE t
        SET
            t.status = 6,
            t.lease_token = NULL,
            t.lease_expires_at = NULL,
            t.last_error = @ErrorMessage,
            t.last_updated_time = @now
        FROM internal.tasks AS t
        WHERE t.task_id = @TaskId;
        SET @ExecutionStatus = 3;
        SET @message = CASE
            WHEN @Outcome = 'canceled' THEN N'Canceled on ' + @machine + N'.'
            WHEN @refund = 1 THEN N'Canceled before it ran on ' + @machine + N'.'
            ELSE N'Canceled: the stop request was not answered by ' + @machine + N'.'
        END;
        EXEC internal.add_operation_message @execution_id, 70, @message, @now;
    END;
    ELSE IF @refund = 1
    BEGIN
        /* The attempt never ran: it is not counted, and the task goes back to its place. */
        UPDATE t
        SET
            t.status = 1,
            t.ready_at = @now,
            t.worker_agent_id = NULL,
            t.lease_token = NULL,
            t.lease_expires_at = NULL,
            t.executed_count = t.executed_count - 1,
            t.last_updated_time = @now
        FROM internal.tasks AS t
        WHERE t.task_id = @TaskId;
        SET @delay = 0;
        SET @ExecutionStatus = 5;
        SET @WillRetry = 1;
        IF @Outcome = 'unacknowledged'
        BEGIN
            SET @message = CONCAT(
                N'Worker ', @machine, N' never confirmed that it received attempt ', @executed_count,
                N' before its lease ran out; the task went back to the queue, and the attempt was not counted.'
            );
            EXEC internal.add_operation_message @execution_id, 110, @message, @now;
        END;
    END;
    ELSE IF @executed_count < @max_executed_count
    BEGIN
        SET @delay = CASE
            WHEN @lost = 1 THEN 0
            WHEN @executed_count >= 7 THEN 300
            ELSE 5 * POWER(2, CASE WHEN @executed_count > 1 THEN @executed_count - 1 ELSE 0 END)
        END;
        IF @delay > 300 SET @delay = 300;
        SET @ready = DATEADD(SECOND, @delay, @now);
        /* Only a failure passes its worker over for a while; a lost worker is no reason to. */
        UPDATE t
        SET
            t.status = 1,
            t.ready_at = @ready,
            t.worker_agent_id = NULL,
            t.lease_token = NULL,
            t.lease_expires_at = NULL,
            t.avoid_worker_agent_id = CASE WHEN @lost = 1 THEN t.avoid_worker_agent_id ELSE @worker_agent_id END,
            t.avoid_until = CASE WHEN @lost = 1 THEN t.avoid_until ELSE DATEADD(SECOND, 60, @ready) END,
            t.last_error = @ErrorMessage,
            t.last_updated_time = @now
        FROM internal.tasks AS t
        WHERE t.task_id = @TaskId;
        SET @ExecutionStatus = 5;
        SET @WillRetry = 1;
        SET @what = CASE
            WHEN @Outcome = 'expired' THEN N'lost its worker ' + @machine + N' (the lease expired)'
            WHEN @Outcome = 'abandoned' THEN N'was ended when its worker ' + @machine + N' restarted'
            ELSE N'failed on ' + @machine + COALESCE(N': ' + @ErrorMessage, N'')
        END;
        SET @message = CONCAT(
            N'Attempt ', @executed_count, N' of ', @max_executed_count, N' ', @what, N'. Retrying',
            CASE WHEN @delay > 0 THEN CONCAT(N' in ', @delay, N' s') ELSE N' now' END, N'.'
        );
        EXEC internal.add_operation_message @execution_id, 110, @message, @now;
    END;
    ELSE
    BEGIN
        UPDATE t
        SET
            t.status = 4,
            t.lease_token = NULL,
            t.lease_expires_at = NULL,
            t.last_error = @ErrorMessage,
            t.last_updated_time = @now
        FROM internal.tasks AS t
        WHERE t.task_id = @TaskId;
        SET @ExecutionStatus = CASE WHEN @lost = 1 THEN 6 ELSE 4 END;
        SET @what = CASE
            WHEN @Outcome = 'expired'
                THEN N'lost its worker ' + @machine + N' (the lease expired): the execution ended unexpectedly'
            WHEN @Outcome = 'abandoned'
                THEN N'was ended when its worker ' + @machine + N' restarted: the execution ended unexpectedly'
            ELSE N'failed on ' + @machine + COALESCE(N': ' + @ErrorMessage, N'')
        END;
        SET @message = CONCAT(N'Attempt ', @executed_count, N' of ', @max_executed_count, N' ', @what, N'.');
        EXEC internal.add_operation_message @execution_id, 120, @message, @now;
    END;

    UPDATE o
    SET
        o.status = @ExecutionStatus,
        o.end_time = CASE WHEN @ExecutionStatus = 5 THEN NULL ELSE @now END,
        o.machine_name = CASE WHEN @ExecutionStatus = 5 THEN N'' ELSE o.machine_name END,
        o.worker_agent_id = CASE WHEN @ExecutionStatus = 5 THEN NULL ELSE o.worker_agent_id END,
        o.executed_count = CASE
            WHEN @refund = 1 AND @ExecutionStatus = 5 THEN @executed_count - 1 ELSE o.executed_count
        END
    FROM internal.operations AS o
    WHERE o.operation_id = @execution_id;

    UPDATE a
    SET
        a.ended_time = @now,
        a.outcome = @Outcome
    FROM internal.task_attempts AS a
    WHERE a.execution_id = @execution_id AND a.lease_token = @lease_token;

    IF @ExecutionStatus <> 5 AND @stop_id IS NOT NULL
        UPDATE o
        SET o.status = 7, o.end_time = @now
        FROM internal.operations AS o
        WHERE o.operation_id = @stop_id AND o.status = 2;

    RETURN 0;
END;
GO
