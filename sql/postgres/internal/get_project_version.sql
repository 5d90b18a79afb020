-- internal.get_project_version
-- The bytes and manifest of a deployed project version, found by the SHA-256 of its bytes (what
-- workers cache projects by). With WorkerAgentId (the master passes the worker whose certificate
-- it checked), only a version of a task that worker holds now: a worker downloads no project but
-- those of its own tasks (51403).
-- Caller: the master (scaleout_master). One row.
-- Errors: 51000; 51001 not a SHA-256 in hexadecimal; 51109 no version has that hash (it was removed
-- by version cleanup); 51403.
CREATE OR REPLACE FUNCTION internal.get_project_version(
    ContentHash varchar(200) DEFAULT NULL,
    WorkerAgentId uuid DEFAULT NULL
)
RETURNS TABLE (
    object_version_lsn bigint,
    project_name varchar(128),
    content_hash char(64),
    manifest text,
    project_stream bytea
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_hash char(64);
BEGIN
    IF ContentHash IS NULL THEN
        PERFORM internal.raise_error(51000, '@ContentHash');
    END IF;
    IF ContentHash !~ '^[0-9a-fA-F]{64}$' THEN
        PERFORM internal.raise_error(51001, '@ContentHash', left(ContentHash, 100), 'a SHA-256: 64 hexadecimal digits');
    END IF;
    v_hash := lower(ContentHash);
    IF NOT EXISTS (SELECT 1 FROM internal.object_versions AS v WHERE v.content_hash = v_hash) THEN
        PERFORM internal.raise_error(51109, ContentHash);
    END IF;
    IF WorkerAgentId IS NOT NULL
       AND NOT EXISTS (SELECT 1
                         FROM internal.tasks AS t
                         JOIN internal.executions AS e ON e.execution_id = t.execution_id
                         JOIN internal.object_versions AS v ON v.object_version_lsn = e.project_lsn
                        WHERE t.worker_agent_id = WorkerAgentId AND t.status IN (2, 3) AND v.content_hash = v_hash) THEN
        PERFORM internal.raise_error(51403, WorkerAgentId::text, 'download project version ' || v_hash || ': it holds no task of that version');
    END IF;
    RETURN QUERY
    SELECT v.object_version_lsn, v.object_name, v.content_hash, v.manifest, v.project_stream
      FROM internal.object_versions AS v
     WHERE v.content_hash = v_hash
     ORDER BY v.object_version_lsn DESC
     LIMIT 1;
END;
$$;
