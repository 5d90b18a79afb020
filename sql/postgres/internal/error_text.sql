-- internal.error_text
-- The text of a catalog error: the template of internal.error_messages for number with {1}, {2}
-- and {3} replaced by the arguments (NULL shows as NULL).
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
                           '{1}', COALESCE(a1, 'NULL')),
                   '{2}', COALESCE(a2, 'NULL')),
               '{3}', COALESCE(a3, 'NULL'));
$$;
