-- catalog.operations
-- Every operation: deployments (101), executions (200), stops (202), configuration (1000),
-- retention cleanup (2). Status codes as SSIS: 1 created, 2 running, 3 canceled, 4 failed,
-- 5 pending, 6 ended unexpectedly, 7 succeeded, 8 stopping, 9 completed.
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_logreader.
CREATE OR REPLACE VIEW catalog.operations AS
SELECT o.operation_id,
       o.operation_type,
       o.created_time,
       o.object_type,
       o.object_id,
       o.object_name,
       o.status,
       o.start_time,
       o.end_time,
       NULL::bytea   AS caller_sid,
       o.caller_name,
       o.process_id,
       NULL::bytea   AS stopped_by_sid,
       o.stopped_by_name,
       o.server_name,
       o.machine_name
  FROM internal.operations AS o
WHERE (SELECT internal.sees_all_objects()) OR internal.may(4, o.operation_id, 1);
