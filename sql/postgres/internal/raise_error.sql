-- internal.raise_error
-- Raises catalog error number with its formatted text and "Nothing was changed.", with SQLSTATE
-- 'SO' + the number's last three digits and the number before the text ("51101: ...").
CREATE OR REPLACE FUNCTION internal.raise_error(
    number integer DEFAULT NULL,
    a1 text DEFAULT NULL,
    a2 text DEFAULT NULL,
    a3 text DEFAULT NULL
)
RETURNS void
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    PERFORM internal.raise_error_text(number, internal.error_text(number, a1, a2, a3));
END;
$$;
