SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0008_fenced_sweeps
-- internal.cleanup_completed_jobs and internal.cleanup_server_retention_window take @MasterId and
-- @Epoch, the fence of their sweep lease (internal.check_sweep_lease), as
-- internal.dealwith_expired_tasks does. CREATE OR ALTER in their object files changes them in
-- place: this step only keeps the two dialects' steps in lockstep.
-- Released steps are never edited: fix forward with a new step.

SELECT 1 AS fenced_sweeps;
GO
