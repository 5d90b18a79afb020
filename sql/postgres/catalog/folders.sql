-- catalog.folders
-- One row per folder. Rows: what the caller may
-- read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.folders AS
SELECT f.folder_id,
       f.name,
       f.description,
       NULL::bytea       AS created_by_sid,
       f.created_by_name,
       f.created_time
  FROM internal.folders AS f
WHERE (SELECT internal.sees_all_objects())
    OR internal.may(1, f.folder_id, 1)
    -- A folder holding something the caller may read is shown too, so that its name is known.
    OR EXISTS (SELECT 1 FROM internal.projects AS p WHERE p.folder_id = f.folder_id AND internal.may(2, p.project_id, 1))
    OR EXISTS (SELECT 1 FROM internal.environments AS en WHERE en.folder_id = f.folder_id AND internal.may(3, en.environment_id, 1));
