-- internal.grant_creator_permissions
-- Records what the creator of an object holds on it, as SSIS grants it: a folder's creator
-- MANAGE_PERMISSIONS; an environment's creator READ, MODIFY and MANAGE_PERMISSIONS; a new
-- project's deployer READ, MODIFY, EXECUTE and MANAGE_PERMISSIONS — an admin too, so that they
-- stay when it leaves ssis_admin.
-- Callers: catalog.create_folder, catalog.create_environment, internal.authorize_deployment,
-- inside their transactions.
CREATE OR REPLACE PROCEDURE internal.grant_creator_permissions(
    object_type integer DEFAULT NULL,
    object_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    IF object_type IS NULL OR object_id IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO internal.object_permissions (object_type, object_id, principal_id, permission_type, is_deny, grantor_name)
    SELECT object_type, object_id, r.oid, p.permission_type, false, session_user
      FROM pg_catalog.pg_roles AS r
     CROSS JOIN unnest(CASE object_type WHEN 1 THEN ARRAY[4] WHEN 2 THEN ARRAY[1, 2, 3, 4] ELSE ARRAY[1, 2, 4] END) AS p (permission_type)
     WHERE r.rolname = session_user
    ON CONFLICT ON CONSTRAINT uq_object_permissions DO NOTHING;
END;
$$;
