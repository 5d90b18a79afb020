SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.append_execution_messages
    Appends a batch of an execution's log messages, in order. @Messages is a JSON array of objects
    {"time": ISO 8601, "type": message type (70 Information by default), "source": message source
    type (30 package by default), "message": text, "package", "event", "sourceName", "code",
    "stream", "seq"}. Every line is stored once:
      * a line with a "stream" (a UUID; workers use one per attempt) and a "seq" (its number in that
        stream, from 0 up) is stored only when its number is above the highest one stored for the
        stream: a line sent again (after a lost answer, or by a worker that recovers its write-ahead
        record after a crash) is recognised and skipped;
      * lines without a stream are stored once per @BatchId: sending the same @BatchId again stores
        none of them. @BatchId may be NULL when every line has a stream.
    Who may append what (51403 otherwise): a stream must be one of the execution's attempts
    (internal.task_attempts), whose id the catalog handed to the worker that claimed it — that id is
    the capability the log-writer login, which every worker shares, has to show. When the master
    calls, it names the worker (@WorkerAgentId), and the stream must be of that worker's attempts;
    lines without a stream come only through the master, from a worker with an attempt of the
    execution.
    A line keeps its own "time" when it is a real date and time, else it gets the time of the call;
    the time of the call is now, unless the catalog's owner passes @now (internal.clock: the log
    writer may not backdate).
    Callers: the master, and workers writing logs directly with the log-writer login
    (ssis_cluster_worker). Output: @Inserted, the lines stored by this call.
    Errors: 51000, 51001 (not a JSON array of objects; a stream that is not a UUID, or a stream line
    without a whole seq of 0 or more), 51106 no such execution, 51403.
*/
CREATE OR ALTER PROCEDURE internal.append_execution_messages
    @ExecutionId bigint = NULL,
    @BatchId uniqueidentifier = NULL,
    @Messages nvarchar(max) = NULL,
    @WorkerAgentId uniqueidentifier = NULL,
    @now datetimeoffset(7) = NULL,
    @Inserted int = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';
    DECLARE @is_array bit = 0;
    DECLARE @unstreamed bit = 0;
    DECLARE @bad int = NULL;
    DECLARE @bad_text nvarchar(200);

    IF @ExecutionId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@ExecutionId', NULL, NULL) + N' ';
    IF @Messages IS NOT NULL AND ISJSON(@Messages) = 1
        /* ISJSON accepts an object too: the one element of [ ... ] tells the type (4: array). */
        SET @is_array = CASE WHEN (SELECT j.[type] FROM OPENJSON(N'[' + @Messages + N']') AS j) = 4 THEN 1 ELSE 0 END;
    IF @is_array = 1
    BEGIN
        /* The first element that is not a message object, or whose stream or seq is malformed. */
        SELECT @bad = MIN(CONVERT(int, j.[key]))
        FROM OPENJSON(@Messages) AS j
        WHERE
            j.[type] <> 5
            OR (
                JSON_VALUE(j.value, N'$.stream') IS NOT NULL
                AND (
                    TRY_CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.stream')) IS NULL
                    OR LEN(JSON_VALUE(j.value, N'$.stream')) <> 36
                    OR JSON_VALUE(j.value, N'$.seq') IS NULL
                    OR JSON_VALUE(j.value, N'$.seq') LIKE N'%[^0-9]%'
                    OR LEN(JSON_VALUE(j.value, N'$.seq')) NOT BETWEEN 1 AND 18
                )
            );
        SET @unstreamed = CASE
            WHEN EXISTS (
                SELECT 1
                FROM OPENJSON(@Messages) AS j
                WHERE j.[type] = 5 AND JSON_VALUE(j.value, N'$.stream') IS NULL
            ) THEN 1
            ELSE 0
        END;
    END;
    IF @Messages IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Messages', NULL, NULL) + N' ';
    ELSE IF @is_array = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@Messages', LEFT(@Messages, 100), N'a JSON array of messages') + N' ';
    ELSE IF @bad IS NOT NULL
    BEGIN
        SELECT @bad_text = CONCAT(N'element ', @bad, N': ', LEFT(j.value, 80))
        FROM OPENJSON(@Messages) AS j
        WHERE CONVERT(int, j.[key]) = @bad;
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@Messages', @bad_text,
                N'an object; a "stream" is a UUID and comes with a whole "seq" of 0 or more'
            )
            + N' ';
    END;
    IF @BatchId IS NULL AND (@is_array = 0 OR @unstreamed = 1)
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@BatchId', NULL, NULL) + N' ';

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    IF NOT EXISTS (SELECT 1 FROM internal.executions AS e WHERE e.execution_id = @ExecutionId)
    BEGIN
        DECLARE @execution_text nvarchar(20) = CONVERT(nvarchar(20), @ExecutionId);
        EXEC internal.raise_error @number = 51106, @a1 = @execution_text;
        RETURN 1;
    END;

    /* The log writer every worker shares must not backdate what it stores (internal.clock). */
    SET @now = internal.clock(@now);
    DECLARE @batch_new bit = 0;
    DECLARE @who nvarchar(36) = COALESCE(LOWER(CONVERT(nvarchar(36), @WorkerAgentId)), N'(log-writer login)');
    DECLARE @refused nvarchar(300);
    DECLARE @lines TABLE (
        n int NOT NULL PRIMARY KEY,
        stream uniqueidentifier NULL,
        seq bigint NULL,
        copy int NOT NULL,
        value nvarchar(max) NOT NULL
    );

    INSERT INTO @lines (n, stream, seq, copy, value)
    SELECT
        CONVERT(int, j.[key]),
        TRY_CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.stream')),
        TRY_CONVERT(bigint, JSON_VALUE(j.value, N'$.seq')),
        ROW_NUMBER() OVER (
            PARTITION BY JSON_VALUE(j.value, N'$.stream'), JSON_VALUE(j.value, N'$.seq')
            ORDER BY CONVERT(int, j.[key])
        ),
        j.value
    FROM OPENJSON(@Messages) AS j;

    /* Only the streams of the execution's attempts (of the calling worker, when the master names it). */
    SELECT TOP (1)
        @refused = CONCAT(
            N'append to stream ', LOWER(CONVERT(nvarchar(36), l.stream)), N' of execution ', @ExecutionId,
            N': it is not a stream of its own attempts'
        )
    FROM @lines AS l
    WHERE
        l.stream IS NOT NULL
        AND NOT EXISTS (
            SELECT 1
            FROM internal.task_attempts AS a
            WHERE
                a.execution_id = @ExecutionId
                AND a.stream_id = l.stream
                AND (@WorkerAgentId IS NULL OR a.worker_agent_id = @WorkerAgentId)
        );
    IF
        @refused IS NULL
        AND @unstreamed = 1
        AND (
            @WorkerAgentId IS NULL
            OR NOT EXISTS (
                SELECT 1
                FROM internal.task_attempts AS a
                WHERE a.execution_id = @ExecutionId AND a.worker_agent_id = @WorkerAgentId
            )
        )
        SET @refused = CONCAT(
            N'append lines without a stream to execution ', @ExecutionId, N': only through the master, by a worker that ran it'
        );
    IF @refused IS NOT NULL
    BEGIN
        EXEC internal.raise_error @number = 51403, @a1 = @who, @a2 = @refused;
        RETURN 1;
    END;

    /* ---------------------------------------- Append once; table order: message_batches, message_streams, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        IF @unstreamed = 1
        BEGIN
            INSERT INTO internal.message_batches (batch_id, operation_id, message_count, received_time)
            SELECT
                @BatchId,
                @ExecutionId,
                (SELECT COUNT(*) FROM @lines AS l WHERE l.stream IS NULL),
                @now
            WHERE NOT EXISTS (
                SELECT 1
                FROM internal.message_batches AS b WITH (UPDLOCK, HOLDLOCK)
                WHERE b.batch_id = @BatchId
            );
            SET @batch_new = CASE WHEN @@ROWCOUNT > 0 THEN 1 ELSE 0 END;
        END;

        /* Each stream's row is created on its first line; its lock is held for the batch. */
        INSERT INTO internal.message_streams (operation_id, stream_id, last_sequence, updated_time)
        SELECT
            @ExecutionId,
            l.stream,
            -1,
            @now
        FROM (SELECT DISTINCT x.stream FROM @lines AS x WHERE x.stream IS NOT NULL) AS l
        WHERE NOT EXISTS (
            SELECT 1
            FROM internal.message_streams AS s WITH (UPDLOCK, HOLDLOCK)
            WHERE s.operation_id = @ExecutionId AND s.stream_id = l.stream
        );

        INSERT INTO internal.operation_messages (
            operation_id,
            message_time,
            message_type,
            message_source_type,
            message,
            package_name,
            event_name,
            message_source_name,
            message_code,
            batch_id
        )
        SELECT
            @ExecutionId,
            COALESCE(
                CASE
                    WHEN JSON_VALUE(l.value, N'$.time') LIKE N'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T%'
                        THEN TRY_CONVERT(datetimeoffset(7), JSON_VALUE(l.value, N'$.time'), 127)
                END,
                @now
            ),
            COALESCE(TRY_CONVERT(smallint, JSON_VALUE(l.value, N'$.type')), 70),
            COALESCE(TRY_CONVERT(smallint, JSON_VALUE(l.value, N'$.source')), 30),
            (SELECT f.value FROM OPENJSON(l.value) AS f WHERE f.[key] = N'message' AND f.[type] <> 0),
            LEFT(JSON_VALUE(l.value, N'$.package'), 260),
            LEFT(JSON_VALUE(l.value, N'$.event'), 1024),
            JSON_VALUE(l.value, N'$.sourceName'),
            TRY_CONVERT(int, JSON_VALUE(l.value, N'$.code')),
            @BatchId
        FROM @lines AS l
        LEFT OUTER JOIN internal.message_streams AS s WITH (UPDLOCK, ROWLOCK)
            ON s.operation_id = @ExecutionId AND s.stream_id = l.stream
        WHERE
            (l.stream IS NULL AND @batch_new = 1)
            OR (l.stream IS NOT NULL AND l.copy = 1 AND l.seq > s.last_sequence)
        ORDER BY l.n;
        SET @Inserted = @@ROWCOUNT;

        UPDATE s
        SET
            s.last_sequence = CASE WHEN mx.seq > s.last_sequence THEN mx.seq ELSE s.last_sequence END,
            s.updated_time = @now
        FROM internal.message_streams AS s
        INNER JOIN (
            SELECT
                x.stream,
                MAX(x.seq) AS seq
            FROM @lines AS x
            WHERE x.stream IS NOT NULL
            GROUP BY x.stream
        ) AS mx
            ON mx.stream = s.stream_id
        WHERE s.operation_id = @ExecutionId;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
