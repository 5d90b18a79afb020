-- internal.require_permission
-- Refuses (51405, nothing changed) a caller without permission_type on the object
-- (internal.may); what names the object in the message ("project 'etl' in folder 'Finance'").
-- Callers: the catalog procedures that a role other than ssis_admin may call, before they change
-- anything. Errors: 51405.
CREATE OR REPLACE FUNCTION internal.require_permission(
    object_type integer,
    object_id bigint,
    permission_type integer,
    what text
)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    IF NOT internal.may(object_type, object_id, permission_type) THEN
        PERFORM internal.raise_error(51405, session_user::text,
            CASE permission_type WHEN 1 THEN 'READ' WHEN 2 THEN 'MODIFY' WHEN 3 THEN 'EXECUTE' WHEN 4 THEN 'MANAGE_PERMISSIONS'
                                 WHEN 100 THEN 'CREATE_OBJECTS' WHEN 101 THEN 'READ_OBJECTS' WHEN 102 THEN 'MODIFY_OBJECTS'
                                 WHEN 103 THEN 'EXECUTE_OBJECTS' ELSE 'MANAGE_OBJECT_PERMISSIONS' END,
            what);
    END IF;
END;
$$;
