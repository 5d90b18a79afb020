-- internal.length_problem
-- Parameter checks' length rule: the text of error 51001 (followed by a space) when value is
-- longer than max_length characters, else ''. Procedures append it to the problems they collect,
-- so a value too long for its column is refused with a number instead of PostgreSQL's 22001.
-- Callers: catalog and internal procedures, in their parameter checks.
CREATE OR REPLACE FUNCTION internal.length_problem(
    parameter_name text,
    value text,
    max_length integer
)
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT CASE
               WHEN length(value) > max_length
               THEN internal.error_text(51001, parameter_name, value, 'at most ' || max_length || ' characters') || ' '
               ELSE ''
           END;
$$;
