-- internal.add_operation_message
-- Appends one message to an operation's log, written by the catalog itself (message source 10:
-- entry APIs), such as "attempt 1 of 3 failed on worker X; retrying in 5 s".
CREATE OR REPLACE PROCEDURE internal.add_operation_message(
    operation_id bigint DEFAULT NULL,
    message_type smallint DEFAULT NULL,
    message text DEFAULT NULL,
    now timestamptz DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    INSERT INTO internal.operation_messages (operation_id, message_time, message_type, message_source_type, message)
    VALUES (operation_id, COALESCE(now, pg_catalog.now()), message_type, 10, message);
END;
$$;
