SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.claim_tasks
    Gives one worker up to @MaxTasks ready tasks in one call, highest priority first, then in the
    order they were first queued (a retry keeps its place):
    tasks any worker may run or that list this worker, whose required tags the worker has, and
    (for a while after a failure) not the worker the last attempt failed on. Never more than the
    worker's free slots (MaxTaskCount less the tasks it holds). Each claimed attempt gets a lease
    (@LeaseMs, remembered as the task's lease length) and a fresh token that every later report must
    carry; the worker acknowledges the claim with its first renewal (status 3): a claim that is never
    acknowledged costs no attempt (internal.dealwith_expired_tasks). Its execution becomes running
    (2) with the worker's id and machine name and the attempt count. Each attempt is recorded in
    internal.task_attempts with a new stream id, handed to this worker only: its log lines go to
    that stream, and only it may append to it.
    The claim runs in two steps, so that it locks only the tasks it takes: it reads candidates from
    the filtered index of ready tasks without keeping locks (a backlog of tasks this worker may not
    run stays unlocked for the workers that may, and never escalates to a table lock), then takes
    them with UPDLOCK, READPAST, ROWLOCK in queue order, re-checking each; concurrent claims skip each
    other's rows and never share a task. Up to four rounds when other claims took the candidates
    first. A disabled worker, or a catalog with Scale Out disabled, gets nothing.
    Caller: the master (scaleout_master). Result set: one row per claimed task; parameters is a JSON
    array of {object_type, name, data_type, value, sensitive}; stream_id is the attempt's log stream.
    Errors: 51000, 51001, 51101 no such worker agent.
*/
CREATE OR ALTER PROCEDURE internal.claim_tasks
    @WorkerAgentId uniqueidentifier = NULL,
    @MaxTasks int = 1,
    @LeaseMs int = 60000,
    @now datetimeoffset(7) = NULL
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
    IF @MaxTasks IS NULL OR @MaxTasks NOT BETWEEN 1 AND 1000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@MaxTasks', CONVERT(nvarchar(20), @MaxTasks), N'from 1 to 1000') + N' ';
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
    DECLARE @enabled bit = NULL;
    DECLARE @tags nvarchar(max);
    DECLARE @machine nvarchar(256);
    DECLARE @capacity int;
    DECLARE @take int;
    DECLARE @want int;
    DECLARE @found int;
    DECLARE @got int = 0;
    DECLARE @round int = 0;
    DECLARE @candidates TABLE (ord bigint NOT NULL PRIMARY KEY, task_seq bigint NOT NULL);
    DECLARE @tried TABLE (task_seq bigint NOT NULL PRIMARY KEY);
    DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
    DECLARE @claimed TABLE (
        task_id uniqueidentifier NOT NULL PRIMARY KEY,
        execution_id bigint NOT NULL,
        lease_token uniqueidentifier NOT NULL,
        lease_expires_at datetimeoffset(7) NOT NULL,
        executed_count int NOT NULL,
        max_executed_count int NOT NULL,
        stream_id uniqueidentifier NOT NULL DEFAULT NEWID()
    );

    /* ---------------------------------------- Claim; table order: worker_agents, tasks, operations, task_attempts */
    BEGIN TRY
        BEGIN TRANSACTION;

        -- The worker row is locked, so that one worker's claims never exceed its slots together.
        SELECT
            @enabled = w.is_enabled,
            @tags = internal.normalize_tags(w.tags),
            /* operations.machine_name holds 128 characters, as SSISDB's; a worker's may have 256. */
            @machine = LEFT(COALESCE(w.machine_name, N''), 128),
            @capacity = w.max_task_count - (
                SELECT COUNT(*)
                FROM internal.tasks AS h
                WHERE h.worker_agent_id = w.worker_agent_id AND h.status IN (2, 3)
            )
        FROM internal.worker_agents AS w WITH (UPDLOCK, ROWLOCK)
        WHERE w.worker_agent_id = @WorkerAgentId;

        IF @enabled IS NULL
            EXEC internal.raise_error @number = 51101, @a1 = @id_text;

        IF
            @enabled = 1
            AND @capacity > 0
            AND EXISTS (
                SELECT 1
                FROM internal.master_properties AS mp
                WHERE mp.property_name = N'IS_SCALEOUT_ENABLED' AND mp.property_value = N'TRUE'
            )
        BEGIN
            SET @take = CASE WHEN @MaxTasks < @capacity THEN @MaxTasks ELSE @capacity END;

            SET @want = @take * 2 + 8;

            WHILE @round < 4 AND @got < @take
            BEGIN
                SET @round = @round + 1;
                DELETE FROM @candidates;

                /* Step 1, keeping no lock: the ready tasks this worker may run, in queue order. The index
                   row carries every column the filters read, its shared locks last one row each, and rows
                   another claim is taking are skipped; tasks tried in an earlier round are not read again. */
                INSERT INTO @candidates (ord, task_seq)
                SELECT TOP (@want)
                    ROW_NUMBER() OVER (ORDER BY t.priority DESC, t.task_seq ASC),
                    t.task_seq
                FROM internal.tasks AS t WITH (READCOMMITTEDLOCK, READPAST, INDEX (ix_tasks_ready_queue))
                WHERE
                    t.status = 1
                    AND t.ready_at <= @now
                    AND (
                        t.use_any_worker = 1
                        OR EXISTS (
                            SELECT 1
                            FROM internal.execution_workers AS ew
                            WHERE ew.execution_id = t.execution_id AND ew.worker_agent_id = @WorkerAgentId
                        )
                    )
                    AND (
                        t.required_tags IS NULL
                        OR NOT EXISTS (
                            SELECT 1
                            FROM STRING_SPLIT(t.required_tags, N',') AS rt
                            WHERE rt.value <> N'' AND CHARINDEX(N',' + rt.value + N',', COALESCE(@tags, N'')) = 0
                        )
                    )
                    AND (
                        t.avoid_worker_agent_id IS NULL
                        OR t.avoid_worker_agent_id <> @WorkerAgentId
                        OR t.avoid_until <= @now
                    )
                    AND NOT EXISTS (SELECT 1 FROM @tried AS x WHERE x.task_seq = t.task_seq)
                ORDER BY t.priority DESC, t.task_seq ASC;
                SET @found = @@ROWCOUNT;
                IF @found = 0 BREAK;

                INSERT INTO @tried (task_seq)
                SELECT c.task_seq FROM @candidates AS c;

                /* Step 2: lock and take them in that order, re-checking what may have changed since (a
                   task another claim took, or re-queued away from this worker). The nested loop stops
                   at the last task taken, so the claim locks the rows it takes and hardly any other. */
                WITH pick AS (
                    SELECT TOP (@take - @got)
                        t.task_id,
                        t.execution_id,
                        t.status,
                        t.worker_agent_id,
                        t.lease_token,
                        t.lease_expires_at,
                        t.lease_ms,
                        t.executed_count,
                        t.max_executed_count,
                        t.ready_at,
                        t.last_pickup_time,
                        t.last_updated_time
                    FROM @candidates AS c
                    INNER JOIN internal.tasks AS t WITH (UPDLOCK, READPAST, ROWLOCK)
                        ON t.task_seq = c.task_seq
                    WHERE
                        t.status = 1
                        AND t.ready_at <= @now
                        AND (
                            t.avoid_worker_agent_id IS NULL
                            OR t.avoid_worker_agent_id <> @WorkerAgentId
                            OR t.avoid_until <= @now
                        )
                    ORDER BY c.ord
                )

                UPDATE pick
                SET
                    status = 2,
                    worker_agent_id = @WorkerAgentId,
                    lease_token = NEWID(),
                    lease_expires_at = DATEADD(MILLISECOND, @LeaseMs, @now),
                    lease_ms = @LeaseMs,
                    executed_count = executed_count + 1,
                    ready_at = NULL,
                    last_pickup_time = @now,
                    last_updated_time = @now
                OUTPUT
                    inserted.task_id,
                    inserted.execution_id,
                    inserted.lease_token,
                    inserted.lease_expires_at,
                    inserted.executed_count,
                    inserted.max_executed_count
                INTO @claimed (task_id, execution_id, lease_token, lease_expires_at, executed_count, max_executed_count)
                OPTION (FORCE ORDER, LOOP JOIN, MAXDOP 1);
                SET @got = @got + @@ROWCOUNT;

                /* Fewer candidates than asked for: there is nothing further to try. */
                IF @found < @want BREAK;
            END;

            UPDATE o
            SET
                o.status = 2,
                o.worker_agent_id = @WorkerAgentId,
                o.machine_name = @machine,
                o.executed_count = c.executed_count
            FROM internal.operations AS o
            INNER JOIN @claimed AS c
                ON c.execution_id = o.operation_id;

            INSERT INTO internal.task_attempts (
                execution_id, stream_id, attempt, task_id, worker_agent_id, lease_token, claimed_time
            )
            SELECT
                c.execution_id,
                c.stream_id,
                c.executed_count,
                c.task_id,
                @WorkerAgentId,
                c.lease_token,
                @now
            FROM @claimed AS c;
        END;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SELECT
        c.task_id,
        c.execution_id,
        c.lease_token,
        c.lease_expires_at,
        c.executed_count,
        c.max_executed_count,
        e.folder_name,
        e.project_name,
        e.package_name,
        pk.kind AS package_kind,
        e.project_lsn,
        v.content_hash,
        e.timeout_seconds,
        N'[' + COALESCE(
            (
                SELECT
                    STRING_AGG(
                        CONVERT(
                            nvarchar(max),
                            CONCAT(
                                N'{"object_type":', pv.object_type,
                                N',"name":"', STRING_ESCAPE(pv.parameter_name, 'json'),
                                N'","data_type":"', STRING_ESCAPE(pv.parameter_data_type, 'json'),
                                N'","value":',
                                CASE
                                    WHEN pv.parameter_value IS NULL THEN N'null'
                                    /* A sensitive value is decrypted here, for the master: SQL Server keeps the key. */
                                    WHEN pv.sensitive = 1 AND pv.parameter_value LIKE N'enc:%'
                                        THEN N'"' + STRING_ESCAPE(
                                            CONVERT(
                                                nvarchar(4000),
                                                DECRYPTBYKEYAUTOCERT(
                                                    CERT_ID(N'ScaleOut_ProtectionCertificate'),
                                                    NULL,
                                                    CONVERT(varbinary(8000), SUBSTRING(pv.parameter_value, 22, 16000), 2)
                                                )
                                            ),
                                            'json'
                                        ) + N'"'
                                    ELSE N'"' + STRING_ESCAPE(pv.parameter_value, 'json') + N'"'
                                END,
                                N',"sensitive":', CASE WHEN pv.sensitive = 1 THEN N'true' ELSE N'false' END,
                                N'}'
                            )
                        ),
                        N','
                    ) WITHIN GROUP (ORDER BY pv.object_type, pv.parameter_name)
                FROM internal.execution_parameters AS pv
                WHERE pv.execution_id = c.execution_id
            ),
            N''
        ) + N']' AS parameters,
        c.stream_id
    FROM @claimed AS c
    INNER JOIN internal.executions AS e
        ON e.execution_id = c.execution_id
    INNER JOIN internal.object_versions AS v
        ON v.object_version_lsn = e.project_lsn
    INNER JOIN internal.packages AS pk
        ON pk.project_version_lsn = e.project_lsn AND pk.name = e.package_name
    ORDER BY c.executed_count, c.task_id;

    RETURN 0;
END;
GO
