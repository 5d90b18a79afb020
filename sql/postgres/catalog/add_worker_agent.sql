-- catalog.add_worker_agent
-- Adds a worker agent ahead of its first connection (Scale Out Manager's "Add worker"): records the
-- worker and trusts the certificate it will present. The worker stays disabled unless
-- IsEnabled = true.
-- Caller: DBA (ssis_admin).
-- Errors: 51000 a required argument is NULL; 51001 reserved id, malformed thumbprint or MaxTaskCount
-- out of range; 51201 the worker agent exists; 51202 the certificate is trusted for another worker.
CREATE OR REPLACE PROCEDURE catalog.add_worker_agent(
    WorkerAgentId uuid DEFAULT NULL,
    CertificateThumbprint varchar(256) DEFAULT NULL,
    DisplayName varchar(256) DEFAULT NULL,
    Description text DEFAULT NULL,
    Tags text DEFAULT NULL,
    MaxTaskCount integer DEFAULT NULL,
    IsEnabled anycompatible DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    thumbprint varchar(128) := internal.normalize_thumbprint(CertificateThumbprint);
    certificate_trusted boolean := false;
    certificate_worker uuid;
BEGIN
    -- Check input parameters
    IF WorkerAgentId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@WorkerAgentId') || ' ';
    ELSIF WorkerAgentId = '11111111-1111-1111-1111-111111111111'::uuid THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@WorkerAgentId', '11111111-1111-1111-1111-111111111111', 'this id is reserved: it means any worker') || ' ';
    END IF;
    IF CertificateThumbprint IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@CertificateThumbprint') || ' ';
    ELSIF thumbprint IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@CertificateThumbprint', CertificateThumbprint, '40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)') || ' ';
    END IF;
    IF MaxTaskCount IS NOT NULL AND MaxTaskCount NOT BETWEEN 1 AND 1000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@MaxTaskCount', MaxTaskCount::text, 'from 1 to 1000') || ' ';
    END IF;
    IF IsEnabled IS NOT NULL AND internal.bit_value(IsEnabled::text) IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@IsEnabled', IsEnabled::text, '1 or 0 (true or false)') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@DisplayName', DisplayName, 256)
        || internal.length_problem('@Description', Description, 4000)
        || internal.length_problem('@Tags', Tags, 4000);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Add; table order: worker_agents, worker_certificates
    PERFORM 1 FROM internal.worker_agents AS w WHERE w.worker_agent_id = WorkerAgentId FOR UPDATE;
    IF FOUND THEN
        PERFORM internal.raise_error(51201, WorkerAgentId::text);
    END IF;

    SELECT true, c.worker_agent_id INTO certificate_trusted, certificate_worker
      FROM internal.worker_certificates AS c
     WHERE c.thumbprint = thumbprint
       FOR UPDATE;
    certificate_trusted := COALESCE(certificate_trusted, false);

    IF certificate_worker IS NOT NULL THEN
        PERFORM internal.raise_error(51202, thumbprint, certificate_worker::text);
    END IF;

    BEGIN
        INSERT INTO internal.worker_agents
               (worker_agent_id, is_enabled, display_name, description, tags, max_task_count, created_by)
        VALUES (WorkerAgentId, COALESCE(internal.bit_value(IsEnabled::text), false), DisplayName, Description, Tags, COALESCE(MaxTaskCount, 10), session_user);
    EXCEPTION WHEN unique_violation THEN
        -- Added by another session between our check and our insert.
        PERFORM internal.raise_error(51201, WorkerAgentId::text);
    END;

    IF certificate_trusted THEN
        UPDATE internal.worker_certificates AS c
           SET worker_agent_id = WorkerAgentId
         WHERE c.thumbprint = thumbprint;
    ELSE
        BEGIN
            INSERT INTO internal.worker_certificates (thumbprint, worker_agent_id, trusted_by)
            VALUES (thumbprint, WorkerAgentId, session_user);
        EXCEPTION WHEN unique_violation THEN
            PERFORM internal.raise_error(51202, thumbprint, 'another worker agent');
        END;
    END IF;
END;
$$;
