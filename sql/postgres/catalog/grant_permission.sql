-- catalog.grant_permission
-- Grants a permission on a folder (object_type 1), project (2), environment (3) or operation (4)
-- for a database principal: principal_id as SSIS takes it (on PostgreSQL the role's oid:
-- 'alice'::regrole::oid), or ours, principal_name. permission_type: 1 READ, 2 MODIFY, 3 EXECUTE
-- (projects), 4 MANAGE_PERMISSIONS; on a folder also 100 CREATE_OBJECTS and 101-104 (READ,
-- MODIFY, EXECUTE, MANAGE_PERMISSIONS on the objects in it). See internal.change_object_permission.
-- Caller: ssis_admin, or ssis_cluster_executor holding MANAGE_PERMISSIONS on the object.
-- Errors: 51000, 51001, 51115, 51116, 51405.
CREATE OR REPLACE PROCEDURE catalog.grant_permission(
    object_type integer DEFAULT NULL,
    object_id bigint DEFAULT NULL,
    principal_id bigint DEFAULT NULL,
    permission_type integer DEFAULT NULL,
    principal_name varchar(128) DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    -- Check input parameters: internal.change_object_permission checks them all
    CALL internal.change_object_permission(object_type, object_id, principal_id, permission_type, principal_name, 'G');
END;
$$;
