SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.worker_agents
    One row per worker agent: SSIS's columns in SSIS's order, then ours.
      CertificateThumbprint  the client certificate the worker must present
      MaxTaskCount           the most tasks the catalog hands the worker at once
      RunningTaskCount       tasks the worker holds now (leased or running)
      State                  from LastOnlineTime and the worker's heartbeat interval (HeartbeatIntervalMs):
                               online   last heartbeat at most 2 intervals ago
                               stale    at most 5 intervals ago
                               offline  longer ago, or never connected
    Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
    master). Readers: ssis_admin, ssis_cluster_executor.
*/
CREATE OR ALTER VIEW [catalog].worker_agents
AS
SELECT
    w.worker_agent_id AS WorkerAgentId,
    w.is_enabled AS IsEnabled,
    w.display_name AS DisplayName,
    w.description AS Description,
    w.machine_name AS MachineName,
    w.tags AS Tags,
    w.user_account AS UserAccount,
    w.last_online_time AS LastOnlineTime,
    c.thumbprint AS CertificateThumbprint,
    w.max_task_count AS MaxTaskCount,
    (
        SELECT COUNT(*)
        FROM internal.tasks AS t
        WHERE t.worker_agent_id = w.worker_agent_id AND t.status IN (2, 3)
    ) AS RunningTaskCount,
    w.heartbeat_interval_ms AS HeartbeatIntervalMs,
    CAST(
        CASE
            WHEN w.last_online_time IS NULL THEN N'offline'
            WHEN DATEDIFF_BIG(MILLISECOND, w.last_online_time, SYSUTCDATETIME()) <= 2 * w.heartbeat_interval_ms
                THEN N'online'
            WHEN DATEDIFF_BIG(MILLISECOND, w.last_online_time, SYSUTCDATETIME()) <= 5 * w.heartbeat_interval_ms
                THEN N'stale'
            ELSE N'offline'
        END AS nvarchar(16)
    ) AS State
FROM internal.worker_agents AS w
LEFT OUTER JOIN internal.worker_certificates AS c
    ON c.worker_agent_id = w.worker_agent_id
WHERE internal.sees_all_objects() = 1 OR IS_MEMBER(N'ssis_cluster_executor') = 1;
GO
