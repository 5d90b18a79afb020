SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.executions
    One row per execution, SSIS's columns in SSIS's order (machine_name is the worker's while it runs
    in Scale Out, '' while pending; executed_count counts attempts), then ours: priority,
    required_tags, timeout_seconds, max_executed_count (retry_count + 1).
    Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
    master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].executions
AS
SELECT
    e.execution_id,
    e.folder_name,
    e.project_name,
    e.package_name,
    e.reference_id,
    e.reference_type,
    e.environment_folder_name,
    e.environment_name,
    e.project_lsn,
    CAST(NULL AS varbinary(85)) AS executed_as_sid,
    e.executed_as_name,
    e.use32bitruntime,
    o.operation_type,
    o.created_time,
    o.object_type,
    o.object_id,
    o.status,
    o.start_time,
    o.end_time,
    CAST(NULL AS varbinary(85)) AS caller_sid,
    o.caller_name,
    o.process_id,
    CAST(NULL AS varbinary(85)) AS stopped_by_sid,
    o.stopped_by_name,
    o.operation_guid AS dump_id,
    o.server_name,
    o.machine_name,
    o.worker_agent_id,
    CAST(NULL AS bigint) AS total_physical_memory_kb,
    CAST(NULL AS bigint) AS available_physical_memory_kb,
    CAST(NULL AS bigint) AS total_page_file_kb,
    CAST(NULL AS bigint) AS available_page_file_kb,
    CAST(NULL AS int) AS cpu_count,
    o.executed_count,
    e.priority,
    e.required_tags,
    e.timeout_seconds,
    /* From the live task, or from its archived copy once cleanup_completed_jobs moved it. */
    COALESCE(
        t.max_executed_count,
        (
            SELECT TOP (1) th.max_executed_count
            FROM internal.tasks_history AS th
            WHERE th.execution_id = e.execution_id
        )
    ) AS max_executed_count
FROM internal.executions AS e
INNER JOIN internal.operations AS o
    ON o.operation_id = e.execution_id
LEFT OUTER JOIN internal.tasks AS t
    ON t.execution_id = e.execution_id
WHERE internal.sees_all_objects() = 1 OR e.executed_as_name = ORIGINAL_LOGIN() OR internal.may(4, e.execution_id, 1) = 1;
GO
