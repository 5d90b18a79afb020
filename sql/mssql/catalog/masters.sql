SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.masters
    Every master instance that has announced itself, and the sweeps whose lease it holds now.
      State  stopped  the master said it stopped
             online   last heartbeat at most 2 master heartbeat intervals ago (MASTER_HEARTBEAT_INTERVALINMS)
             stale    at most 5 intervals ago
             offline  longer ago
    Readers: ssis_admin.
*/
CREATE OR ALTER VIEW [catalog].masters
AS
SELECT
    m.master_id AS MasterId,
    m.machine_name AS MachineName,
    m.machine_ip AS MachineIP,
    m.address AS Address,
    m.process_id AS ProcessId,
    m.version AS Version,
    m.started_time AS StartedTime,
    m.last_heartbeat_time AS LastHeartbeatTime,
    m.stopped_time AS StoppedTime,
    CAST(
        CASE
            WHEN m.stopped_time IS NOT NULL THEN N'stopped'
            WHEN DATEDIFF_BIG(MILLISECOND, m.last_heartbeat_time, SYSUTCDATETIME()) <= 2 * i.interval_ms THEN N'online'
            WHEN DATEDIFF_BIG(MILLISECOND, m.last_heartbeat_time, SYSUTCDATETIME()) <= 5 * i.interval_ms THEN N'stale'
            ELSE N'offline'
        END AS nvarchar(16)
    ) AS State,
    (
        SELECT STRING_AGG(CAST(l.sweep_name AS nvarchar(max)), N',') WITHIN GROUP (ORDER BY l.sweep_name)
        FROM internal.sweep_leases AS l
        WHERE l.holder_id = m.master_id AND l.expires_at > SYSUTCDATETIME()
    ) AS HeldSweeps
FROM internal.masters AS m
CROSS JOIN (
    SELECT COALESCE(TRY_CONVERT(bigint, mp.property_value), 30000) AS interval_ms
    FROM internal.master_properties AS mp
    WHERE mp.property_name = N'MASTER_HEARTBEAT_INTERVALINMS'
) AS i;
GO
