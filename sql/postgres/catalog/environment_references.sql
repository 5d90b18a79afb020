-- catalog.environment_references
-- One row per environment reference of a project, SSIS's columns: reference_type R (relative:
-- the environment is in the project's folder; environment_folder_name NULL) or A (absolute).
-- validation_status is N (not validated), as SSIS shows until a validation runs; this catalog
-- checks a reference when an execution uses it. Rows: what the caller may
-- read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_cluster_executor,
-- ssis_logreader.
CREATE OR REPLACE VIEW catalog.environment_references AS
SELECT r.reference_id,
       r.project_id,
       r.reference_type,
       r.environment_folder_name,
       r.environment_name,
       'N'::char(1)      AS validation_status,
       NULL::timestamptz AS last_validation_time
  FROM internal.environment_references AS r
WHERE (SELECT internal.sees_all_objects()) OR internal.may(2, r.project_id, 1);
