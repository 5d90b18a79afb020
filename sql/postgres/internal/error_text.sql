-- internal.error_text
-- The text of a catalog error: the template of internal.error_messages for number with {1}, {2}
-- and {3} replaced by the arguments (NULL shows as NULL). An argument longer than 100 characters
-- shows its first 100 and its length: a refused 1 MB value must not fill the message. Arguments
-- the procedure writes itself are shown whole: what 51001 expects ({3}), the parameters 51209
-- misses and what 51403 refused ({2}). Parameter names lose T-SQL's @, as PostgreSQL names them.
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
                   replace(COALESCE(m.message_template, 'Catalog error {1} {2} {3}.'),
                           '{1}', COALESCE(CASE WHEN length(n.a1) > 100 THEN left(n.a1, 100) || '… (' || length(n.a1) || ' characters)' ELSE n.a1 END, 'NULL')),
                   '{2}', COALESCE(CASE WHEN length(a2) > 100 AND error_text.number NOT IN (51209, 51403) THEN left(a2, 100) || '… (' || length(a2) || ' characters)' ELSE a2 END, 'NULL')),
               '{3}', COALESCE(CASE WHEN length(n.a3) > 100 AND error_text.number <> 51001 THEN left(n.a3, 100) || '… (' || length(n.a3) || ' characters)' ELSE n.a3 END, 'NULL'))
      FROM (SELECT error_text.number AS wanted) AS k
      LEFT JOIN internal.error_messages AS m ON m.number = k.wanted
     CROSS JOIN LATERAL (
            SELECT
                -- Parameters as PostgreSQL names them, without T-SQL's @ (BatchSize => 100): the
                -- argument named by argument_null and argument_invalid, what argument_invalid
                -- expects, what protection_key_missing protects; never a value the caller gave.
                CASE WHEN m.symbol IN ('argument_null', 'argument_invalid') THEN regexp_replace(a1, '^@', '')
                     WHEN m.symbol = 'protection_key_missing' THEN regexp_replace(a1, '@([A-Za-z_])', '\1', 'g')
                     ELSE a1 END AS a1,
                CASE WHEN m.symbol = 'argument_invalid' THEN regexp_replace(a3, '@([A-Za-z_])', '\1', 'g') ELSE a3 END AS a3) AS n;
$$;
