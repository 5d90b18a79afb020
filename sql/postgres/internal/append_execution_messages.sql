-- internal.append_execution_messages
-- Appends a batch of an execution's log messages, in order. Messages is a JSON array of objects
-- {"time": ISO 8601, "type": message type (70 Information by default), "source": message source
-- type (30 package by default), "message": text, "package", "event", "sourceName", "code",
-- "stream", "seq"}. Every line is stored once:
--   * a line with a "stream" (a UUID; workers use one per attempt) and a "seq" (its number in that
--     stream, from 0 up) is stored only when its number is above the highest one stored for the
--     stream: a line sent again — after a lost answer, or by a worker that recovers its write-ahead
--     record after a crash — is recognised and skipped;
--   * lines without a stream are stored once per BatchId: sending the same BatchId again stores
--     none of them. BatchId may be NULL when every line has a stream.
-- Who may append what (51403 otherwise): a stream must be one of the execution's attempts
-- (internal.task_attempts), whose id the catalog handed to the worker that claimed it — that id is
-- the capability the log-writer login, which every worker shares, has to show. When the master
-- calls, it names the worker (WorkerAgentId), and the stream must be of that worker's attempts;
-- lines without a stream come only through the master, from a worker with an attempt of the
-- execution.
-- A line keeps its own "time" when it is a real date and time, else it gets the time of the call;
-- the time of the call is now, unless the catalog's owner passes it (internal.clock: the log
-- writer may not backdate).
-- Callers: the master, and workers writing logs directly with the log-writer login
-- (ssis_cluster_worker). Output: Inserted, the lines stored by this call.
-- Errors: 51000, 51001 (not a JSON array of objects; a stream that is not a UUID, or a stream line
-- without a whole seq of 0 or more), 51106 no such execution, 51403.
CREATE OR REPLACE PROCEDURE internal.append_execution_messages(
    ExecutionId bigint DEFAULT NULL,
    BatchId uuid DEFAULT NULL,
    Messages text DEFAULT NULL,
    WorkerAgentId uuid DEFAULT NULL,
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
    -- The log writer every worker shares must not backdate what it stores (internal.clock).
    v_now timestamptz := internal.clock(now);
    m jsonb;
    v_unstreamed boolean := false;
    v_batch_new boolean := false;
    v_bad bigint;
    v_stream uuid;
    v_who text := COALESCE(WorkerAgentId::text, '(log-writer login)');
BEGIN
    -- Check input parameters
    IF ExecutionId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@ExecutionId') || ' ';
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
            error_message := error_message || internal.error_text(51001, '@Messages', left(Messages, 100), 'a JSON array of messages') || ' ';
        ELSE
            -- The first element that is not a message object, or whose stream or seq is malformed.
            SELECT min(x.n) INTO v_bad
              FROM jsonb_array_elements(m) WITH ORDINALITY AS x (v, n)
             WHERE jsonb_typeof(x.v) <> 'object'
                OR (x.v ? 'stream' AND (jsonb_typeof(x.v->'stream') <> 'string'
                                        OR x.v->>'stream' !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                                        OR jsonb_typeof(x.v->'seq') IS DISTINCT FROM 'number'
                                        OR x.v->>'seq' !~ '^[0-9]{1,18}$'));
            IF v_bad IS NOT NULL THEN
                error_number := COALESCE(error_number, 51001);
                error_message := error_message || internal.error_text(51001, '@Messages',
                    'element ' || (v_bad - 1) || ': ' || left((m->(v_bad::integer - 1))::text, 80),
                    'an object; a "stream" is a UUID and comes with a whole "seq" of 0 or more') || ' ';
            END IF;
            v_unstreamed := EXISTS (SELECT 1 FROM jsonb_array_elements(m) AS x (v) WHERE NOT (x.v ? 'stream'));
        END IF;
    END IF;
    IF BatchId IS NULL AND (m IS NULL OR v_unstreamed) THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@BatchId') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    IF NOT EXISTS (SELECT 1 FROM internal.executions AS e WHERE e.execution_id = ExecutionId) THEN
        PERFORM internal.raise_error(51106, ExecutionId::text);
    END IF;

    -- Only the streams of the execution's attempts (of the calling worker, when the master names it).
    SELECT s.stream INTO v_stream
      FROM (SELECT DISTINCT (x.v->>'stream')::uuid AS stream FROM jsonb_array_elements(m) AS x (v) WHERE x.v ? 'stream') AS s
     WHERE NOT EXISTS (SELECT 1 FROM internal.task_attempts AS a
                        WHERE a.execution_id = ExecutionId AND a.stream_id = s.stream
                          AND (WorkerAgentId IS NULL OR a.worker_agent_id = WorkerAgentId))
     LIMIT 1;
    IF v_stream IS NOT NULL THEN
        PERFORM internal.raise_error(51403, v_who, 'append to stream ' || v_stream || ' of execution ' || ExecutionId || ': it is not a stream of its own attempts');
    END IF;
    IF v_unstreamed AND (WorkerAgentId IS NULL
                         OR NOT EXISTS (SELECT 1 FROM internal.task_attempts AS a
                                         WHERE a.execution_id = ExecutionId AND a.worker_agent_id = WorkerAgentId)) THEN
        PERFORM internal.raise_error(51403, v_who, 'append lines without a stream to execution ' || ExecutionId || ': only through the master, by a worker that ran it');
    END IF;

    -- Table order: message_batches, message_streams, operation_messages
    IF v_unstreamed THEN
        INSERT INTO internal.message_batches AS b (batch_id, operation_id, message_count, received_time)
        VALUES (BatchId, ExecutionId, (SELECT count(*) FROM jsonb_array_elements(m) AS x (v) WHERE NOT (x.v ? 'stream')), v_now)
        ON CONFLICT ON CONSTRAINT pk_message_batches DO NOTHING;
        v_batch_new := FOUND;
    END IF;

    -- Each stream's row is created on its first line and locked (in key order) for the batch.
    INSERT INTO internal.message_streams AS s (operation_id, stream_id, last_sequence, updated_time)
    SELECT DISTINCT ExecutionId, (x.v->>'stream')::uuid, -1, v_now
      FROM jsonb_array_elements(m) AS x (v)
     WHERE x.v ? 'stream'
     ORDER BY 2
    ON CONFLICT ON CONSTRAINT pk_message_streams DO NOTHING;
    PERFORM 1
       FROM internal.message_streams AS s
      WHERE s.operation_id = ExecutionId
        AND s.stream_id IN (SELECT (x.v->>'stream')::uuid FROM jsonb_array_elements(m) AS x (v) WHERE x.v ? 'stream')
      ORDER BY s.stream_id
        FOR UPDATE;

    WITH lines AS (
        SELECT x.v, x.n, (x.v->>'stream')::uuid AS stream, (x.v->>'seq')::bigint AS seq,
               row_number() OVER (PARTITION BY x.v->>'stream', x.v->>'seq' ORDER BY x.n) AS copy
          FROM jsonb_array_elements(m) WITH ORDINALITY AS x (v, n)
    )
    INSERT INTO internal.operation_messages
           (operation_id, message_time, message_type, message_source_type, message, package_name, event_name,
            message_source_name, message_code, batch_id)
    SELECT ExecutionId,
           -- A line's own time when it is a real one (no month 13, no 30 February), else now.
           COALESCE(CASE WHEN l.v->>'time' ~ '^(?!0000)[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$'
                         THEN CASE WHEN substr(l.v->>'time', 9, 2)::integer
                                        <= extract(day FROM date_trunc('month', (substr(l.v->>'time', 1, 7) || '-01')::date) + interval '1 month - 1 day')
                                   THEN (l.v->>'time')::timestamptz END
                    END, v_now),
           COALESCE(CASE WHEN l.v->>'type' ~ '^-?[0-9]{1,4}$' THEN (l.v->>'type')::smallint END, 70),
           COALESCE(CASE WHEN l.v->>'source' ~ '^[0-9]{1,4}$' THEN (l.v->>'source')::smallint END, 30),
           l.v->>'message',
           left(l.v->>'package', 260),
           left(l.v->>'event', 1024),
           left(l.v->>'sourceName', 4000),
           CASE WHEN l.v->>'code' ~ '^-?[0-9]{1,9}$' THEN (l.v->>'code')::integer END,
           BatchId
      FROM lines AS l
      LEFT JOIN internal.message_streams AS s ON s.operation_id = ExecutionId AND s.stream_id = l.stream
     WHERE (l.stream IS NULL AND v_batch_new)
        OR (l.stream IS NOT NULL AND l.copy = 1 AND l.seq > s.last_sequence)
     ORDER BY l.n;
    GET DIAGNOSTICS Inserted = ROW_COUNT;

    UPDATE internal.message_streams AS s
       SET last_sequence = GREATEST(s.last_sequence, mx.seq),
           updated_time = v_now
      FROM (SELECT (x.v->>'stream')::uuid AS stream, max((x.v->>'seq')::bigint) AS seq
              FROM jsonb_array_elements(m) AS x (v)
             WHERE x.v ? 'stream'
             GROUP BY 1) AS mx
     WHERE s.operation_id = ExecutionId AND s.stream_id = mx.stream;
END;
$$;
