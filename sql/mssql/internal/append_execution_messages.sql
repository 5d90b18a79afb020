SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.append_execution_messages
    Appends a batch of an execution's log messages, in order. @Messages is a JSON array of
    {"time": ISO 8601, "type": message type (70 Information by default), "source": message source
    type (30 package by default), "message": text, "package", "event", "sourceName", "code"}.
    A batch is stored once: sending the same @BatchId again (a retry after a lost answer) stores
    nothing and answers @Inserted = 0.
    Callers: the master, and workers writing logs directly with the log-writer login
    (ssis_cluster_worker). Output: @Inserted.
    Errors: 51000, 51001 (not a JSON array), 51106 no such execution.
*/
CREATE OR ALTER PROCEDURE internal.append_execution_messages
    @ExecutionId bigint = NULL,
    @BatchId uniqueidentifier = NULL,
    @Messages nvarchar(max) = NULL,
    @now datetimeoffset(7) = NULL,
    @Inserted int = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @ExecutionId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@ExecutionId', NULL, NULL) + N' ';
    IF @BatchId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@BatchId', NULL, NULL) + N' ';
    IF @Messages IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Messages', NULL, NULL) + N' ';
    ELSE IF ISJSON(@Messages) = 0 OR LEFT(LTRIM(@Messages), 1) <> N'['
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@Messages', LEFT(@Messages, 40), N'a JSON array of messages') + N' ';

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

    SET @now = COALESCE(@now, SYSUTCDATETIME());
    DECLARE @count int = (SELECT COUNT(*) FROM OPENJSON(@Messages) AS j);

    /* ---------------------------------------- Append once; table order: message_batches, operation_messages */
    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO internal.message_batches (batch_id, operation_id, message_count, received_time)
        SELECT
            @BatchId,
            @ExecutionId,
            @count,
            @now
        WHERE NOT EXISTS (
            SELECT 1
            FROM internal.message_batches AS b WITH (UPDLOCK, HOLDLOCK)
            WHERE b.batch_id = @BatchId
        );

        IF @@ROWCOUNT = 0
            SET @Inserted = 0;
        ELSE
        BEGIN
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
                        WHEN JSON_VALUE(m.value, N'$.time') LIKE N'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T%'
                            THEN TRY_CONVERT(datetimeoffset(7), JSON_VALUE(m.value, N'$.time'), 127)
                    END,
                    @now
                ),
                COALESCE(TRY_CONVERT(smallint, JSON_VALUE(m.value, N'$.type')), 70),
                COALESCE(TRY_CONVERT(smallint, JSON_VALUE(m.value, N'$.source')), 30),
                (SELECT f.value FROM OPENJSON(m.value) AS f WHERE f.[key] = N'message' AND f.[type] <> 0),
                LEFT(JSON_VALUE(m.value, N'$.package'), 260),
                LEFT(JSON_VALUE(m.value, N'$.event'), 1024),
                JSON_VALUE(m.value, N'$.sourceName'),
                TRY_CONVERT(int, JSON_VALUE(m.value, N'$.code')),
                @BatchId
            FROM OPENJSON(@Messages) AS m
            ORDER BY CONVERT(int, m.[key]);
            SET @Inserted = @count;
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
