-- 0008_fenced_sweeps
-- internal.cleanup_completed_jobs and internal.cleanup_server_retention_window take @MasterId and
-- @Epoch, the fence of their sweep lease (internal.check_sweep_lease), as
-- internal.dealwith_expired_tasks does: a master that stalled past its lease cannot sweep beside
-- the new holder. A PL/pgSQL signature cannot change in place: the object files create them again
-- after this step.
-- Released steps are never edited: fix forward with a new step.

DROP PROCEDURE IF EXISTS internal.cleanup_completed_jobs(integer, integer, timestamptz, integer);
DROP PROCEDURE IF EXISTS internal.cleanup_server_retention_window(integer, timestamptz, integer);
