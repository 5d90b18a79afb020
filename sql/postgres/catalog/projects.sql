-- catalog.projects
-- One row per project; object_version_lsn is the version deployed last.
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.projects AS
SELECT p.project_id,
       p.folder_id,
       p.name,
       p.description,
       p.project_format_version,
       NULL::bytea          AS deployed_by_sid,
       p.deployed_by_name,
       p.last_deployed_time,
       p.created_time,
       p.object_version_lsn,
       'N'::char(1)         AS validation_status,
       NULL::timestamptz    AS last_validation_time
  FROM internal.projects AS p
WHERE (SELECT internal.sees_all_objects()) OR internal.may(2, p.project_id, 1);
