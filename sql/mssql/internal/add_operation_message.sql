SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.add_operation_message
    Appends one message to an operation's log, written by the catalog itself (message source 10:
    entry APIs), such as "attempt 1 of 3 failed on worker X; retrying in 5 s".
*/
CREATE OR ALTER PROCEDURE internal.add_operation_message
    @operation_id bigint = NULL,
    @message_type smallint = NULL,
    @message nvarchar(max) = NULL,
    @now datetimeoffset(7) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    INSERT INTO internal.operation_messages (operation_id, message_time, message_type, message_source_type, message)
    VALUES (@operation_id, COALESCE(@now, SYSUTCDATETIME()), @message_type, 10, @message);
END;
GO
