-- internal.normalize_thumbprint
-- A certificate thumbprint as the catalog stores it: upper-case hexadecimal without colons or
-- spaces, 40 digits (SHA-1, as Windows shows) or 64 (SHA-256). NULL when the text is not one.
CREATE OR REPLACE FUNCTION internal.normalize_thumbprint(thumbprint text)
RETURNS varchar(128)
LANGUAGE sql
IMMUTABLE
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT CASE
               WHEN t.v ~ '^[0-9A-F]+$' AND length(t.v) IN (40, 64) THEN t.v::varchar(128)
           END
      FROM (SELECT upper(replace(replace(replace(thumbprint, ':', ''), ' ', ''), '-', '')) AS v) AS t;
$$;
