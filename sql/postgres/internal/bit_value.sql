-- internal.bit_value
-- A value given for a bit, as SQL Server converts one: true for 'true' or any number but 0, false
-- for 'false' or 0 (letter case and surrounding spaces aside), NULL for NULL and anything else.
-- The catalog's bit parameters are anycompatible on PostgreSQL, so that psql users may type
-- runinscaleout => 1 (as SSIS's examples do) or => true (as PostgreSQL users do); the procedures
-- read them through this function. Callers: catalog routines.
CREATE OR REPLACE FUNCTION internal.bit_value(value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE
               WHEN value ~ '^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$' THEN btrim(value)::numeric <> 0
               WHEN lower(btrim(value)) = 'true' THEN true
               WHEN lower(btrim(value)) = 'false' THEN false
           END;
$$;
