SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.worker_agent_perfcounter
    The latest counters each worker agent reported (CpuPercent, AvailableMemoryMB, RunningTaskCount,
    LogLinesPending, LogLinesUndeliverable).
    Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
    master). Readers: ssis_admin, ssis_cluster_executor.
*/
CREATE OR ALTER VIEW [catalog].worker_agent_perfcounter
AS
SELECT
    p.worker_agent_id AS WorkerAgentId,
    p.counter_name AS PerfCounterName,
    p.counter_value AS PerfCounterValue,
    p.time_stamp AS [TimeStamp]
FROM internal.worker_agent_perfcounter AS p
WHERE internal.sees_all_objects() = 1 OR IS_MEMBER(N'ssis_cluster_executor') = 1;
GO
