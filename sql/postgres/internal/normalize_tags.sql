-- internal.normalize_tags
-- Tags as the catalog compares them: lower-case, trimmed, distinct, sorted, wrapped in commas
-- (',gpu,linux,'), so that "every required tag is one of the worker's" is a substring test.
-- NULL when there is no tag. STRICT: for NULL (most executions and workers) it is not called at all.
-- PL/pgSQL, not SQL: a SQL function with a SET clause is not inlined, and its body was parsed and
-- planned again on every claim; PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION internal.normalize_tags(tags text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
STRICT
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    RETURN (SELECT ',' || string_agg(x.v, ',' ORDER BY x.v) || ','
              FROM (SELECT DISTINCT lower(btrim(s.v)) AS v
                      FROM unnest(string_to_array(tags, ',')) AS s (v)) AS x
             WHERE x.v <> '');
END;
$$;
