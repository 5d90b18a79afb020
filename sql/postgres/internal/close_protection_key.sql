-- internal.close_protection_key
-- Closes what internal.open_protection_key opened. Nothing on PostgreSQL (the public key is never
-- "open"); the SQL Server dialect closes its symmetric key, so that the caller's session cannot
-- use it afterwards.
-- Callers: the procedures that called internal.open_protection_key.
CREATE OR REPLACE PROCEDURE internal.close_protection_key()
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    NULL;
END;
$$;
