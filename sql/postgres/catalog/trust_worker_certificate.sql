-- catalog.trust_worker_certificate
-- Trusts a worker certificate whose worker agent id is not known yet (SSIS: installing the worker's
-- certificate in the master's Root store). The worker that presents it registers itself, disabled,
-- at its first contact. Trusting a certificate that is already trusted and not yet bound changes
-- only its description.
-- Caller: DBA (ssis_admin).
-- Errors: 51000 CertificateThumbprint is NULL; 51001 malformed thumbprint or a description over 4000 characters; 51202 the certificate is
-- bound to a worker agent already.
CREATE OR REPLACE PROCEDURE catalog.trust_worker_certificate(
    CertificateThumbprint varchar(256) DEFAULT NULL,
    Description text DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    thumbprint varchar(128) := internal.normalize_thumbprint(CertificateThumbprint);
    certificate_worker uuid;
BEGIN
    -- Check input parameters
    IF CertificateThumbprint IS NULL THEN
        PERFORM internal.raise_error(51000, '@CertificateThumbprint');
    END IF;
    IF thumbprint IS NULL THEN
        PERFORM internal.raise_error(51001, '@CertificateThumbprint', CertificateThumbprint, '40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)');
    END IF;
    IF length(Description) > 4000 THEN
        PERFORM internal.raise_error(51001, '@Description', Description, 'at most 4000 characters');
    END IF;

    -- Trust; table: worker_certificates
    INSERT INTO internal.worker_certificates AS c (thumbprint, description, trusted_by)
    VALUES (thumbprint, Description, session_user)
    ON CONFLICT ON CONSTRAINT pk_worker_certificates DO NOTHING;

    SELECT c.worker_agent_id INTO certificate_worker
      FROM internal.worker_certificates AS c
     WHERE c.thumbprint = thumbprint
       FOR UPDATE;

    IF certificate_worker IS NOT NULL THEN
        PERFORM internal.raise_error(51202, thumbprint, certificate_worker::text);
    END IF;

    UPDATE internal.worker_certificates AS c
       SET description = Description
     WHERE c.thumbprint = thumbprint;
END;
$$;
