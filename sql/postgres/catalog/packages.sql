-- catalog.packages
-- The packages of each project's current version. Ours: kind ('node' or 'command') and the
-- package's default timeout_seconds from its manifest.
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.packages AS
SELECT pk.package_id,
       pk.name,
       pk.package_guid,
       pk.description,
       pk.package_format_version,
       1                    AS version_major,
       0                    AS version_minor,
       pk.project_version_lsn::integer AS version_build,
       NULL::varchar(1024)  AS version_comments,
       pk.package_guid      AS version_guid,
       p.project_id,
       pk.entry_point,
       'N'::char(1)         AS validation_status,
       NULL::timestamptz    AS last_validation_time,
       pk.kind,
       pk.timeout_seconds
  FROM internal.packages AS pk
  JOIN internal.projects AS p
    ON p.object_version_lsn = pk.project_version_lsn
WHERE (SELECT internal.sees_all_objects()) OR internal.may(2, p.project_id, 1);
