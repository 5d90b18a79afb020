-- internal.change_object_permission
-- The work of catalog.grant_permission (Action 'G'), deny_permission ('D') and revoke_permission
-- ('R'): one permission of one database principal on one object. The principal is named by
-- principal_id (the role's oid, as SSIS takes a database principal id) or by principal_name.
-- The caller needs MANAGE_PERMISSIONS on the object (a folder's MANAGE_OBJECT_PERMISSIONS for
-- the objects in it; an execution's creator has it), or to be a catalog admin. A deny replaces a
-- grant and the other way round; revoke removes either, and is a no-op when there is none.
-- Callers: the three catalog procedures. Errors: 51000, 51001 (object type, permission type for
-- that object type), 51115 no such object, 51116 no such principal, 51405 no MANAGE_PERMISSIONS.
CREATE OR REPLACE PROCEDURE internal.change_object_permission(
    object_type integer DEFAULT NULL,
    object_id bigint DEFAULT NULL,
    principal_id bigint DEFAULT NULL,
    permission_type integer DEFAULT NULL,
    principal_name varchar(128) DEFAULT NULL,
    Action char(1) DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_principal oid;
    v_kind text := CASE object_type WHEN 1 THEN 'folder' WHEN 2 THEN 'project' WHEN 3 THEN 'environment' WHEN 4 THEN 'operation' END;
    v_name text;
BEGIN
    -- Check input parameters
    IF object_type IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@object_type') || ' ';
    ELSIF v_kind IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@object_type', object_type::text,
            '1 (folder), 2 (project), 3 (environment) or 4 (operation)') || ' ';
    END IF;
    IF object_id IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@object_id') || ' ';
    END IF;
    IF principal_id IS NULL AND principal_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@principal_id') || ' ';
    END IF;
    IF permission_type IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@permission_type') || ' ';
    ELSIF v_kind IS NOT NULL AND NOT (
            (object_type = 1 AND permission_type IN (1, 2, 4, 100, 101, 102, 103, 104))
            OR (object_type = 2 AND permission_type IN (1, 2, 3, 4))
            OR (object_type IN (3, 4) AND permission_type IN (1, 2, 4))) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@permission_type', permission_type::text,
            CASE object_type
                WHEN 1 THEN 'for a folder: 1 READ, 2 MODIFY, 4 MANAGE_PERMISSIONS, 100 CREATE_OBJECTS, 101 READ_OBJECTS, 102 MODIFY_OBJECTS, 103 EXECUTE_OBJECTS or 104 MANAGE_OBJECT_PERMISSIONS'
                WHEN 2 THEN 'for a project: 1 READ, 2 MODIFY, 3 EXECUTE or 4 MANAGE_PERMISSIONS'
                ELSE 'for an ' || v_kind || ': 1 READ, 2 MODIFY or 4 MANAGE_PERMISSIONS' END) || ' ';
    END IF;
    IF Action IS NULL OR Action NOT IN ('G', 'D', 'R') THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@Action', COALESCE(Action, 'NULL'), 'G, D or R') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    v_name := CASE object_type
        WHEN 1 THEN (SELECT f.name FROM internal.folders AS f WHERE f.folder_id = object_id)
        WHEN 2 THEN (SELECT p.name FROM internal.projects AS p WHERE p.project_id = object_id)
        WHEN 3 THEN (SELECT en.name FROM internal.environments AS en WHERE en.environment_id = object_id)
        ELSE (SELECT o.operation_id::text FROM internal.operations AS o WHERE o.operation_id = object_id) END;
    IF v_name IS NULL THEN
        PERFORM internal.raise_error(51115, v_kind, object_id::text);
    END IF;
    SELECT r.oid INTO v_principal
      FROM pg_catalog.pg_roles AS r
     WHERE (principal_id IS NOT NULL AND r.oid = principal_id)
        OR (principal_id IS NULL AND r.rolname = principal_name);
    IF v_principal IS NULL THEN
        PERFORM internal.raise_error(51116, CASE WHEN principal_id IS NOT NULL THEN 'id ' || principal_id::text ELSE 'the name ''' || principal_name || '''' END);
    END IF;
    PERFORM internal.require_permission(object_type, object_id, 4, format('%s %s (%s)', v_kind, object_id, v_name));

    -- Table: object_permissions
    IF Action = 'R' THEN
        DELETE FROM internal.object_permissions AS op
         WHERE op.object_type = object_type AND op.object_id = object_id
           AND op.principal_id = v_principal AND op.permission_type = permission_type;
    ELSE
        INSERT INTO internal.object_permissions AS op (object_type, object_id, principal_id, permission_type, is_deny, grantor_name)
        VALUES (object_type, object_id, v_principal, permission_type, Action = 'D', session_user)
        ON CONFLICT ON CONSTRAINT uq_object_permissions DO UPDATE
           SET is_deny = EXCLUDED.is_deny, grantor_name = EXCLUDED.grantor_name, granted_time = now();
    END IF;
END;
$$;
