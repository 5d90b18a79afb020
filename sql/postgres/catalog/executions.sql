-- catalog.executions
-- One row per execution, SSIS's columns in SSIS's order (machine_name is the worker's while it runs
-- in Scale Out, '' while pending; executed_count counts attempts), then ours: priority,
-- required_tags, timeout_seconds, max_executed_count (retry_count + 1).
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.executions AS
SELECT e.execution_id,
       e.folder_name,
       e.project_name,
       e.package_name,
       e.reference_id,
       e.reference_type,
       e.environment_folder_name,
       e.environment_name,
       e.project_lsn,
       NULL::bytea          AS executed_as_sid,
       e.executed_as_name,
       e.use32bitruntime,
       o.operation_type,
       o.created_time,
       o.object_type,
       o.object_id,
       o.status,
       o.start_time,
       o.end_time,
       NULL::bytea          AS caller_sid,
       o.caller_name,
       o.process_id,
       NULL::bytea          AS stopped_by_sid,
       o.stopped_by_name,
       o.operation_guid     AS dump_id,
       o.server_name,
       o.machine_name,
       o.worker_agent_id,
       NULL::bigint         AS total_physical_memory_kb,
       NULL::bigint         AS available_physical_memory_kb,
       NULL::bigint         AS total_page_file_kb,
       NULL::bigint         AS available_page_file_kb,
       NULL::integer        AS cpu_count,
       o.executed_count,
       e.priority,
       e.required_tags,
       e.timeout_seconds,
       -- From the live task, or from its archived copy once cleanup_completed_jobs moved it.
       COALESCE(t.max_executed_count,
                (SELECT th.max_executed_count FROM internal.tasks_history AS th
                  WHERE th.execution_id = e.execution_id LIMIT 1)) AS max_executed_count
  FROM internal.executions AS e
  JOIN internal.operations AS o
    ON o.operation_id = e.execution_id
  LEFT JOIN internal.tasks AS t
    ON t.execution_id = e.execution_id
WHERE (SELECT internal.sees_all_objects()) OR e.executed_as_name = session_user OR internal.may(4, e.execution_id, 1);
