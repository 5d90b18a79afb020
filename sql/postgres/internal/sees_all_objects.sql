-- internal.sees_all_objects
-- Whether the catalog views show the caller every row: catalog admins (internal.is_catalog_admin),
-- ssis_logreader (SSIS's reader of every operational view) and the master (scaleout_master).
-- Everyone else sees what internal.may lets them read.
-- Callers: the catalog views.
CREATE OR REPLACE FUNCTION internal.sees_all_objects()
RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT internal.is_catalog_admin()
        OR pg_catalog.pg_has_role(session_user, 'ssis_logreader', 'MEMBER')
        OR pg_catalog.pg_has_role(session_user, 'scaleout_master', 'MEMBER');
$$;
