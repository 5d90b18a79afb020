-- internal.append_execution_messages
-- Appends a batch of an execution's log messages, in order. Messages is a JSON array of
-- {"time": ISO 8601, "type": message type (70 Information by default), "source": message source
-- type (30 package by default), "message": text, "package", "event", "sourceName", "code"}.
-- A batch is stored once: sending the same BatchId again (a retry after a lost answer) stores
-- nothing and answers Inserted = 0.
-- Callers: the master, and workers writing logs directly with the log-writer login
-- (ssis_cluster_worker). Output: Inserted.
-- Errors: 51000, 51001 (not a JSON array), 51106 no such execution.
CREATE OR REPLACE PROCEDURE internal.append_execution_messages(
    ExecutionId bigint DEFAULT NULL,
    BatchId uuid DEFAULT NULL,
    Messages text DEFAULT NULL,
    now timestamptz DEFAULT NULL,
    INOUT Inserted integer DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_now timestamptz := COALESCE(now, pg_catalog.now());
    m jsonb;
    v_count integer;
BEGIN
    -- Check input parameters
    IF ExecutionId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@ExecutionId') || ' ';
    END IF;
    IF BatchId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@BatchId') || ' ';
    END IF;
    IF Messages IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@Messages') || ' ';
    ELSE
        BEGIN
            m := Messages::jsonb;
        EXCEPTION WHEN others THEN
            m := NULL;
        END;
        IF m IS NULL OR jsonb_typeof(m) <> 'array' THEN
            error_number := COALESCE(error_number, 51001);
            error_message := error_message || internal.error_text(51001, '@Messages', left(Messages, 40), 'a JSON array of messages') || ' ';
        END IF;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    IF NOT EXISTS (SELECT 1 FROM internal.executions AS e WHERE e.execution_id = ExecutionId) THEN
        PERFORM internal.raise_error(51106, ExecutionId::text);
    END IF;

    -- Table order: message_batches, operation_messages
    v_count := jsonb_array_length(m);
    INSERT INTO internal.message_batches AS b (batch_id, operation_id, message_count, received_time)
    VALUES (BatchId, ExecutionId, v_count, v_now)
    ON CONFLICT ON CONSTRAINT pk_message_batches DO NOTHING;
    IF NOT FOUND THEN
        Inserted := 0;
        RETURN;
    END IF;

    INSERT INTO internal.operation_messages
           (operation_id, message_time, message_type, message_source_type, message, package_name, event_name,
            message_source_name, message_code, batch_id)
    SELECT ExecutionId,
           COALESCE(CASE WHEN x.v->>'time' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' THEN (x.v->>'time')::timestamptz END, v_now),
           COALESCE(CASE WHEN x.v->>'type' ~ '^-?[0-9]{1,4}$' THEN (x.v->>'type')::smallint END, 70),
           COALESCE(CASE WHEN x.v->>'source' ~ '^[0-9]{1,4}$' THEN (x.v->>'source')::smallint END, 30),
           x.v->>'message',
           left(x.v->>'package', 260),
           left(x.v->>'event', 1024),
           left(x.v->>'sourceName', 4000),
           CASE WHEN x.v->>'code' ~ '^-?[0-9]{1,9}$' THEN (x.v->>'code')::integer END,
           BatchId
      FROM jsonb_array_elements(m) WITH ORDINALITY AS x (v, n)
     ORDER BY x.n;
    Inserted := v_count;
END;
$$;
