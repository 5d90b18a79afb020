-- internal.length_problem
-- Parameter checks' length rule: the text of error 51001 (followed by a space) when value is
-- longer than max_length characters, else ''. Procedures append it to the problems they collect,
-- so a value too long for its column is refused with a number instead of PostgreSQL's 22001.
-- Callers: catalog and internal procedures, in their parameter checks.
-- PL/pgSQL, not SQL: with its SET clause a SQL function is never inlined, and its query was
-- planned again on every call; PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION internal.length_problem(
    parameter_name text,
    value text,
    max_length integer
)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    IF length(value) > max_length THEN
        RETURN internal.error_text(51001, parameter_name, value, 'at most ' || max_length || ' characters') || ' ';
    END IF;
    RETURN '';
END;
$$;
