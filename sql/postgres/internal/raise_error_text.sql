-- internal.raise_error_text
-- Raises catalog error number with a text already assembled from several internal.error_text
-- results (parameter checks collect every problem, then raise once with the first number).
CREATE OR REPLACE FUNCTION internal.raise_error_text(
    number integer DEFAULT NULL,
    message text DEFAULT NULL
)
RETURNS void
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'SO' || lpad((number % 1000)::text, 3, '0'),
        MESSAGE = number::text || ': ' || left(rtrim(message), 2020) || ' Nothing was changed.';
END;
$$;
