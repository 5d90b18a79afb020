-- 0011_worker_certificate_days_left
-- internal.update_worker_agent_status takes CertificateDaysLeft: the master reads the end of
-- validity off the certificate a worker presents at each heartbeat, and the catalog keeps it as the
-- counter CertificateDaysLeft (catalog.worker_agent_perfcounter), for Scale Out Manager and doctor.
-- A PL/pgSQL signature cannot change in place: the object file creates the new one after this step.
-- Released steps are never edited: fix forward with a new step.

DROP PROCEDURE IF EXISTS internal.update_worker_agent_status(uuid, varchar, varchar, varchar, double precision, double precision, integer, bigint, bigint, timestamptz, boolean);
