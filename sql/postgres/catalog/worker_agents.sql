-- catalog.worker_agents
-- One row per worker agent: SSIS's columns in SSIS's order, then ours.
--   CertificateThumbprint  the client certificate the worker must present
--   MaxTaskCount           the most tasks the catalog hands the worker at once
--   RunningTaskCount       tasks the worker holds now (leased or running)
--   State                  from LastOnlineTime and the worker's heartbeat interval (HeartbeatIntervalMs):
--                            online   last heartbeat at most 2 intervals ago
--                            stale    at most 5 intervals ago
--                            offline  longer ago, or never connected
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_cluster_executor.
-- Columns are named unquoted, so SSIS's queries run as written in any letter case; PostgreSQL
-- folds them to lower case. A view from before that change (quoted "WorkerAgentId", …) is dropped
-- first: a view's columns cannot be renamed in place.
DO $$
BEGIN
    IF EXISTS (SELECT 1
                 FROM information_schema.columns
                WHERE table_schema = 'catalog' AND table_name = 'worker_agents' AND column_name = 'WorkerAgentId') THEN
        DROP VIEW catalog.worker_agents;
    END IF;
END $$;
CREATE OR REPLACE VIEW catalog.worker_agents AS
SELECT w.worker_agent_id       AS WorkerAgentId,
       w.is_enabled            AS IsEnabled,
       w.display_name          AS DisplayName,
       w.description           AS Description,
       w.machine_name          AS MachineName,
       w.tags                  AS Tags,
       w.user_account          AS UserAccount,
       w.last_online_time      AS LastOnlineTime,
       c.thumbprint            AS CertificateThumbprint,
       w.max_task_count        AS MaxTaskCount,
       (SELECT count(*)::integer
          FROM internal.tasks AS t
         WHERE t.worker_agent_id = w.worker_agent_id
           AND t.status IN (2, 3)) AS RunningTaskCount,
       w.heartbeat_interval_ms AS HeartbeatIntervalMs,
       (CASE
            WHEN w.last_online_time IS NULL THEN 'offline'
            WHEN w.last_online_time >= now() - make_interval(secs => 2 * w.heartbeat_interval_ms / 1000.0) THEN 'online'
            WHEN w.last_online_time >= now() - make_interval(secs => 5 * w.heartbeat_interval_ms / 1000.0) THEN 'stale'
            ELSE 'offline'
        END)::varchar(16)      AS State
  FROM internal.worker_agents AS w
  LEFT JOIN internal.worker_certificates AS c
         ON c.worker_agent_id = w.worker_agent_id
WHERE (SELECT internal.sees_all_objects()) OR (SELECT pg_catalog.pg_has_role(session_user, 'ssis_cluster_executor', 'MEMBER'));
