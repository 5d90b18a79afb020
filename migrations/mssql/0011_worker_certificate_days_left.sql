-- 0011_worker_certificate_days_left
-- On PostgreSQL this step drops internal.update_worker_agent_status's old signature, which gains
-- @CertificateDaysLeft; CREATE OR ALTER changes it in place on SQL Server: nothing to do here. The
-- step exists so that both dialects keep the same list of steps.
-- Released steps are never edited: fix forward with a new step.
SELECT 1 AS nothing_to_change;
