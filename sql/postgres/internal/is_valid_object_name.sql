-- internal.is_valid_object_name
-- SSIS's rules for folder and project names: 1 to 128 characters, no leading or trailing space,
-- none of the characters a file name may not hold (" < > | / \ : * ? and the control characters
-- 1-31: a name becomes a path segment, \SSISDB\folder\project), and not starting with @.
-- PL/pgSQL, not SQL: with its SET clause a SQL function is never inlined, and its query was
-- planned again on every call; PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION internal.is_valid_object_name(name text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    RETURN name IS NOT NULL
       AND length(name) BETWEEN 1 AND 128
       AND name = btrim(name, ' ')
       AND left(name, 1) <> '@'
       AND name !~ '["<>|/\\:*?\x01-\x1f]';
END;
$$;
