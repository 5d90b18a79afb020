-- catalog.worker_agent_perfcounter
-- The latest counters each worker agent reported (CpuPercent, AvailableMemoryMB, RunningTaskCount,
-- LogLinesPending, LogLinesUndeliverable).
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_cluster_executor.
-- Columns are named unquoted, so SSIS's queries run as written in any letter case; PostgreSQL
-- folds them to lower case. A view from before that change (quoted "WorkerAgentId", …) is dropped
-- first: a view's columns cannot be renamed in place.
DO $$
BEGIN
    IF EXISTS (SELECT 1
                 FROM information_schema.columns
                WHERE table_schema = 'catalog' AND table_name = 'worker_agent_perfcounter' AND column_name = 'WorkerAgentId') THEN
        DROP VIEW catalog.worker_agent_perfcounter;
    END IF;
END $$;
CREATE OR REPLACE VIEW catalog.worker_agent_perfcounter AS
SELECT p.worker_agent_id AS WorkerAgentId,
       p.counter_name    AS PerfCounterName,
       p.counter_value   AS PerfCounterValue,
       p.time_stamp      AS TimeStamp
  FROM internal.worker_agent_perfcounter AS p
WHERE (SELECT internal.sees_all_objects()) OR (SELECT pg_catalog.pg_has_role(session_user, 'ssis_cluster_executor', 'MEMBER'));
