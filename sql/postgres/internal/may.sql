-- internal.may
-- Whether the caller holds permission_type on an object: a catalog admin always does; anyone else
-- through a grant to themselves or to a role they are a member of — on the object itself, or, for
-- a project or an environment, the folder's permission for the objects in it (READ_OBJECTS 101
-- for READ, and so on: permission + 100) — unless a deny on either says no (a deny wins). A
-- folder's READ also comes with any other permission on it (its creator's MANAGE_PERMISSIONS).
-- An execution or other operation (object type 4): its creator may read, modify and manage it;
-- otherwise a grant on it, or else READ and MODIFY on its project give READ and MODIFY on it.
-- Callers: the catalog views (SECURITY DEFINER: they read internal.object_permissions for a caller
-- who may not) and internal.require_permission.
CREATE OR REPLACE FUNCTION internal.may(
    object_type integer,
    object_id bigint,
    permission_type integer
)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_folder_id bigint;
    v_project_id bigint;
    v_creator text;
    v_decision boolean;
BEGIN
    IF object_type IS NULL OR object_id IS NULL OR permission_type IS NULL THEN
        RETURN false;
    END IF;
    IF internal.is_catalog_admin() THEN
        RETURN true;
    END IF;
    IF object_type = 2 THEN
        SELECT p.folder_id INTO v_folder_id FROM internal.projects AS p WHERE p.project_id = object_id;
    ELSIF object_type = 3 THEN
        SELECT en.folder_id INTO v_folder_id FROM internal.environments AS en WHERE en.environment_id = object_id;
    ELSIF object_type = 4 THEN
        SELECT e.executed_as_name, o.object_id INTO v_creator, v_project_id
          FROM internal.operations AS o
          LEFT JOIN internal.executions AS e ON e.execution_id = o.operation_id
         WHERE o.operation_id = object_id;
        IF v_creator = session_user AND permission_type IN (1, 2, 4) THEN
            RETURN true;
        END IF;
    END IF;

    -- The caller's own role and every role it is a member of; a deny on any of them wins.
    -- (Only the object's and its folder's rows are read; a dropped role's rows match no role.)
    SELECT bool_and(NOT op.is_deny) INTO v_decision
      FROM internal.object_permissions AS op
      JOIN pg_catalog.pg_roles AS r ON r.oid = op.principal_id
     WHERE pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER')
       AND ((op.object_type = object_type AND op.object_id = object_id
             AND (op.permission_type = permission_type
                  -- Any permission on a folder lets its holder see it.
                  OR (object_type = 1 AND permission_type = 1 AND NOT op.is_deny)))
            OR (op.object_type = 1 AND op.object_id = v_folder_id AND op.permission_type = permission_type + 100));
    IF v_decision IS NOT NULL THEN
        RETURN v_decision;
    END IF;
    IF object_type = 4 AND permission_type IN (1, 2) AND v_project_id IS NOT NULL THEN
        RETURN internal.may(2, v_project_id, permission_type);
    END IF;
    RETURN false;
END;
$$;
