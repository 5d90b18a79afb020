-- catalog.object_versions
-- Every kept version of every project (MAX_PROJECT_VERSIONS per project when
-- VERSION_CLEANUP_ENABLED). Ours: content_hash, the SHA-256 of the project bytes workers cache by.
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.object_versions AS
SELECT v.object_version_lsn,
       v.object_id,
       v.object_type,
       v.object_name,
       v.description,
       v.created_by,
       v.created_time,
       v.restored_by,
       v.last_restored_time,
       v.content_hash
  FROM internal.object_versions AS v
WHERE (SELECT internal.sees_all_objects()) OR internal.may(2, v.object_id, 1);
