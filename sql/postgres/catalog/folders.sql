-- catalog.folders
-- One row per folder. Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.folders AS
SELECT f.folder_id,
       f.name,
       f.description,
       NULL::bytea       AS created_by_sid,
       f.created_by_name,
       f.created_time
  FROM internal.folders AS f;
