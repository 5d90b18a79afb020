-- internal.get_project_version
-- The bytes and manifest of a deployed project version, found by the SHA-256 of its bytes (what
-- workers cache projects by).
-- Caller: the master (scaleout_master). One row.
-- Errors: 51000; 51109 no version has that hash (it was removed by version cleanup).
CREATE OR REPLACE FUNCTION internal.get_project_version(
    ContentHash varchar(64) DEFAULT NULL
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
BEGIN
    IF ContentHash IS NULL THEN
        PERFORM internal.raise_error(51000, '@ContentHash');
    END IF;
    RETURN QUERY
    SELECT v.object_version_lsn, v.object_name, v.content_hash, v.manifest, v.project_stream
      FROM internal.object_versions AS v
     WHERE v.content_hash = lower(ContentHash)
     ORDER BY v.object_version_lsn DESC
     LIMIT 1;
    IF NOT FOUND THEN
        PERFORM internal.raise_error(51109, ContentHash);
    END IF;
END;
$$;
