-- catalog.execution_attempts
-- Ours (SSIS has no such view): every attempt of every execution — which worker claimed it and
-- when, when it ended and how (succeeded, failed, canceled, abandoned, expired, unacknowledged),
-- and for the attempt still running, when its lease runs out. Lease tokens and log streams (the
-- worker's capabilities) are not shown.
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_cluster_executor, ssis_logreader.
CREATE OR REPLACE VIEW catalog.execution_attempts AS
SELECT a.execution_id,
       a.attempt,
       a.worker_agent_id,
       w.display_name AS worker_display_name,
       a.claimed_time,
       a.ended_time,
       a.outcome,
       CASE WHEN a.ended_time IS NULL AND t.lease_token = a.lease_token THEN t.lease_expires_at END AS lease_expires_at
  FROM internal.task_attempts AS a
  LEFT JOIN internal.worker_agents AS w
         ON w.worker_agent_id = a.worker_agent_id
  LEFT JOIN internal.tasks AS t
         ON t.task_id = a.task_id
WHERE (SELECT internal.sees_all_objects()) OR internal.may(4, a.execution_id, 1);
