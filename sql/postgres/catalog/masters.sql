-- catalog.masters
-- Every master instance that has announced itself, and the sweeps whose lease it holds now.
--   State  stopped  the master said it stopped
--          online   last heartbeat at most 2 master heartbeat intervals ago (MASTER_HEARTBEAT_INTERVALINMS)
--          stale    at most 5 intervals ago
--          offline  longer ago
-- Readers: ssis_admin.
-- Columns are named unquoted, so SSIS's queries run as written in any letter case; PostgreSQL
-- folds them to lower case. A view from before that change (quoted "MasterId", …) is dropped
-- first: a view's columns cannot be renamed in place.
DO $$
BEGIN
    IF EXISTS (SELECT 1
                 FROM information_schema.columns
                WHERE table_schema = 'catalog' AND table_name = 'masters' AND column_name = 'MasterId') THEN
        DROP VIEW catalog.masters;
    END IF;
END $$;
CREATE OR REPLACE VIEW catalog.masters AS
SELECT m.master_id           AS MasterId,
       m.machine_name        AS MachineName,
       m.machine_ip          AS MachineIP,
       m.address             AS Address,
       m.process_id          AS ProcessId,
       m.version             AS Version,
       m.started_time        AS StartedTime,
       m.last_heartbeat_time AS LastHeartbeatTime,
       m.stopped_time        AS StoppedTime,
       (CASE
            WHEN m.stopped_time IS NOT NULL THEN 'stopped'
            WHEN m.last_heartbeat_time >= now() - make_interval(secs => 2 * i.interval_ms / 1000.0) THEN 'online'
            WHEN m.last_heartbeat_time >= now() - make_interval(secs => 5 * i.interval_ms / 1000.0) THEN 'stale'
            ELSE 'offline'
        END)::varchar(16)    AS State,
       (SELECT string_agg(l.sweep_name, ',' ORDER BY l.sweep_name)
          FROM internal.sweep_leases AS l
         WHERE l.holder_id = m.master_id
           AND l.expires_at > now())::text AS HeldSweeps
  FROM internal.masters AS m
 CROSS JOIN (SELECT COALESCE(CASE WHEN mp.property_value ~ '^[0-9]{1,12}$' THEN mp.property_value::bigint END, 30000) AS interval_ms
               FROM internal.master_properties AS mp
              WHERE mp.property_name = 'MASTER_HEARTBEAT_INTERVALINMS') AS i;
