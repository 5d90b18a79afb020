-- internal.error_text
-- The text of a catalog error: the template of internal.error_messages for number with {1}, {2}
-- and {3} replaced by the arguments (NULL shows as NULL). An argument longer than 100 characters
-- shows its first 100 and its length: a refused 1 MB value must not fill the message. Arguments
-- the procedure writes itself are shown whole: what 51001 expects ({3}), the parameters 51209
-- misses and what 51403 refused ({2}).
-- Callers: catalog and internal routines, before raising.
CREATE OR REPLACE FUNCTION internal.error_text(
    number integer,
    a1 text DEFAULT NULL,
    a2 text DEFAULT NULL,
    a3 text DEFAULT NULL
)
RETURNS text
LANGUAGE sql
STABLE
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT replace(
               replace(
                   replace(COALESCE((SELECT m.message_template
                                       FROM internal.error_messages AS m
                                      WHERE m.number = error_text.number),
                                    'Catalog error {1} {2} {3}.'),
                           '{1}', COALESCE(CASE WHEN length(a1) > 100 THEN left(a1, 100) || '… (' || length(a1) || ' characters)' ELSE a1 END, 'NULL')),
                   '{2}', COALESCE(CASE WHEN length(a2) > 100 AND number NOT IN (51209, 51403) THEN left(a2, 100) || '… (' || length(a2) || ' characters)' ELSE a2 END, 'NULL')),
               '{3}', COALESCE(CASE WHEN length(a3) > 100 AND number <> 51001 THEN left(a3, 100) || '… (' || length(a3) || ' characters)' ELSE a3 END, 'NULL'));
$$;
