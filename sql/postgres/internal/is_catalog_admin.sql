-- internal.is_catalog_admin
-- Whether the caller (the session's login role, whatever role a SECURITY DEFINER routine runs
-- as) needs no object permission: a superuser (SQL Server's sysadmin) or a member of ssis_admin.
-- Callers: internal.may and the catalog's procedures and views.
-- PL/pgSQL, not SQL: with its SET clause a SQL function is never inlined, and its query was
-- planned again on every call; PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION internal.is_catalog_admin()
RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = session_user AND r.rolsuper)
        OR pg_catalog.pg_has_role(session_user, 'ssis_admin', 'MEMBER');
END;
$$;
