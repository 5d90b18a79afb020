-- internal.identify_worker_agent
-- Who a client certificate is: the worker agent it is trusted for, and whether that worker is
-- enabled. The master asks before it reads a request's body, and again every few seconds, so that
-- a certificate revoked (its worker deleted, or given another certificate) is refused on every
-- master within seconds. Reads only.
--   - A certificate the catalog does not trust: 51401.
--   - A trusted certificate no worker has registered with yet (catalog.trust_worker_certificate):
--     WorkerAgentId comes back NULL.
--   - WorkerAgentId given: it must be the certificate's worker (51402), unless the certificate has
--     no worker yet.
-- Caller: the master (scaleout_master). Outputs: WorkerAgentId, IsEnabled.
-- Errors: 51000, 51001, 51401, 51402.
CREATE OR REPLACE PROCEDURE internal.identify_worker_agent(
    CertificateThumbprint varchar(256) DEFAULT NULL,
    INOUT WorkerAgentId uuid DEFAULT NULL,
    INOUT IsEnabled boolean DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    thumbprint varchar(128) := internal.normalize_thumbprint(CertificateThumbprint);
    v_trusted boolean;
    v_worker uuid;
    v_registered varchar(128);
BEGIN
    IF CertificateThumbprint IS NULL THEN
        PERFORM internal.raise_error(51000, '@CertificateThumbprint');
    ELSIF thumbprint IS NULL THEN
        PERFORM internal.raise_error(51001, '@CertificateThumbprint', left(CertificateThumbprint, 100), '40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)');
    END IF;

    SELECT true, c.worker_agent_id INTO v_trusted, v_worker
      FROM internal.worker_certificates AS c
     WHERE c.thumbprint = thumbprint;
    IF v_trusted IS NULL THEN
        PERFORM internal.raise_error(51401, thumbprint);
    END IF;
    IF WorkerAgentId IS NOT NULL AND v_worker IS NOT NULL AND v_worker <> WorkerAgentId THEN
        SELECT c.thumbprint INTO v_registered FROM internal.worker_certificates AS c WHERE c.worker_agent_id = WorkerAgentId;
        PERFORM internal.raise_error(51402, WorkerAgentId::text, thumbprint, COALESCE(v_registered, '(none)'));
    END IF;

    WorkerAgentId := v_worker;
    SELECT w.is_enabled INTO IsEnabled FROM internal.worker_agents AS w WHERE w.worker_agent_id = v_worker;
END;
$$;
