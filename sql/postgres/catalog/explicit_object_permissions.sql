-- catalog.explicit_object_permissions
-- The permissions granted or denied explicitly (SSIS's columns, then ours: principal_name,
-- grantor_name, granted_time). principal_id is the role's oid. Rows: those on objects the caller
-- may manage permissions of, and those of the caller's own roles (all for ssis_admin,
-- ssis_logreader and the master). grantor_id is NULL: the grantor is kept by name.
-- Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.explicit_object_permissions AS
SELECT op.object_type,
       op.object_id,
       op.principal_id,
       op.permission_type,
       op.is_deny,
       NULL::bigint                                        AS grantor_id,
       COALESCE(r.rolname::varchar(128), '')               AS principal_name,
       op.grantor_name,
       op.granted_time
  FROM internal.object_permissions AS op
  LEFT JOIN pg_catalog.pg_roles AS r
    ON r.oid = op.principal_id
 WHERE (SELECT internal.sees_all_objects())
    OR internal.may(op.object_type, op.object_id, 4)
    OR (r.oid IS NOT NULL AND pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER'));
