-- internal.open_protection_key
-- Makes the current protection key ready for internal.protect_value in this session, or refuses
-- with 51404 when the catalog has none ("what" names the value that was to be stored). On
-- PostgreSQL encrypting needs only the public key, so there is nothing to open: the check is all.
-- (The SQL Server dialect opens its symmetric key here; internal.close_protection_key closes it.)
-- Callers: the procedures that store sensitive values.
CREATE OR REPLACE PROCEDURE internal.open_protection_key(
    what text DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM internal.protection_keys AS pk WHERE pk.is_current) THEN
        PERFORM internal.raise_error(51404, COALESCE(what, 'a sensitive value'));
    END IF;
END;
$$;
