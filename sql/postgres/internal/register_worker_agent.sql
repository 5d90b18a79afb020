-- internal.register_worker_agent
-- A worker agent's first authenticated contact after it starts. The master passes the thumbprint
-- of the client certificate the worker presented.
--   - The certificate must be trusted by the catalog (catalog.add_worker_agent or
--     catalog.trust_worker_certificate); an untrusted one is refused (51401) and nothing is recorded.
--   - A worker seen for the first time is recorded disabled, as SSIS does, until a DBA enables it.
--   - A known worker must present the certificate registered for it (51402); a certificate bound
--     to another worker is refused (51202).
-- Caller: the master (scaleout_master). Output: IsEnabled.
-- Errors: 51000, 51001, 51202, 51401, 51402.
CREATE OR REPLACE PROCEDURE internal.register_worker_agent(
    WorkerAgentId uuid DEFAULT NULL,
    CertificateThumbprint varchar(256) DEFAULT NULL,
    MachineName varchar(256) DEFAULT NULL,
    UserAccount varchar(256) DEFAULT NULL,
    DisplayName varchar(256) DEFAULT NULL,
    Description text DEFAULT NULL,
    HeartbeatIntervalMs integer DEFAULT NULL,
    MaxTaskCount integer DEFAULT NULL,
    OSVersion varchar(256) DEFAULT NULL,
    ProcessorCount integer DEFAULT NULL,
    TotalMemoryMB double precision DEFAULT NULL,
    AgentVersion varchar(64) DEFAULT NULL,
    now timestamptz DEFAULT NULL,
    INOUT IsEnabled boolean DEFAULT NULL
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
    v_now timestamptz := internal.clock(now);
    worker_exists boolean;
    registered_thumbprint varchar(128);
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
    IF MachineName IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@MachineName') || ' ';
    END IF;
    IF HeartbeatIntervalMs IS NOT NULL AND HeartbeatIntervalMs NOT BETWEEN 1000 AND 86400000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@HeartbeatIntervalMs', HeartbeatIntervalMs::text, 'milliseconds from 1000 to 86400000') || ' ';
    END IF;
    IF MaxTaskCount IS NOT NULL AND MaxTaskCount NOT BETWEEN 1 AND 1000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@MaxTaskCount', MaxTaskCount::text, 'from 1 to 1000') || ' ';
    END IF;
    IF ProcessorCount IS NOT NULL AND ProcessorCount NOT BETWEEN 1 AND 100000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@ProcessorCount', ProcessorCount::text, 'from 1 to 100000') || ' ';
    END IF;
    IF TotalMemoryMB IS NOT NULL AND (TotalMemoryMB < 0 OR TotalMemoryMB > 1e9) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@TotalMemoryMB', TotalMemoryMB::text, 'megabytes from 0 to 1000000000') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@MachineName', MachineName, 256)
        || internal.length_problem('@UserAccount', UserAccount, 256)
        || internal.length_problem('@DisplayName', DisplayName, 256)
        || internal.length_problem('@Description', Description, 4000)
        || internal.length_problem('@OSVersion', OSVersion, 256)
        || internal.length_problem('@AgentVersion', AgentVersion, 64);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Register; table order: worker_agents, worker_certificates, machine_properties
    PERFORM 1 FROM internal.worker_agents AS w WHERE w.worker_agent_id = WorkerAgentId FOR UPDATE;
    worker_exists := FOUND;

    SELECT c.thumbprint INTO registered_thumbprint
      FROM internal.worker_certificates AS c
     WHERE c.worker_agent_id = WorkerAgentId
       FOR UPDATE;

    SELECT true, c.worker_agent_id INTO certificate_trusted, certificate_worker
      FROM internal.worker_certificates AS c
     WHERE c.thumbprint = thumbprint
       FOR UPDATE;
    certificate_trusted := COALESCE(certificate_trusted, false);

    IF NOT certificate_trusted THEN
        PERFORM internal.raise_error(51401, thumbprint);
    END IF;
    IF registered_thumbprint IS NOT NULL AND registered_thumbprint <> thumbprint THEN
        PERFORM internal.raise_error(51402, WorkerAgentId::text, thumbprint, registered_thumbprint);
    END IF;
    IF certificate_worker IS NOT NULL AND certificate_worker <> WorkerAgentId THEN
        PERFORM internal.raise_error(51202, thumbprint, certificate_worker::text);
    END IF;

    IF NOT worker_exists THEN
        -- A worker seen for the first time by two masters at once: the second waits on the
        -- primary key, then updates the row the first inserted.
        INSERT INTO internal.worker_agents AS w
               (worker_agent_id, is_enabled, display_name, description, machine_name, user_account,
                last_online_time, heartbeat_interval_ms, created_by)
        VALUES (WorkerAgentId, false, COALESCE(DisplayName, MachineName), Description, MachineName, UserAccount,
                v_now, COALESCE(HeartbeatIntervalMs, 60000), 'registered by the worker agent')
        ON CONFLICT ON CONSTRAINT pk_worker_agents DO UPDATE
           SET machine_name = EXCLUDED.machine_name,
               user_account = EXCLUDED.user_account,
               last_online_time = EXCLUDED.last_online_time,
               heartbeat_interval_ms = EXCLUDED.heartbeat_interval_ms;
    ELSE
        UPDATE internal.worker_agents AS w
           SET machine_name = MachineName,
               user_account = UserAccount,
               last_online_time = v_now,
               heartbeat_interval_ms = COALESCE(HeartbeatIntervalMs, w.heartbeat_interval_ms),
               display_name = COALESCE(w.display_name, DisplayName, MachineName),
               description = COALESCE(w.description, Description)
         WHERE w.worker_agent_id = WorkerAgentId;
    END IF;

    IF certificate_worker IS NULL THEN
        UPDATE internal.worker_certificates AS c
           SET worker_agent_id = WorkerAgentId
         WHERE c.thumbprint = thumbprint;
    END IF;

    INSERT INTO internal.machine_properties AS p (worker_agent_id, property_name, property_value)
    SELECT WorkerAgentId, v.property_name, v.property_value
      FROM (VALUES ('OSVersion', OSVersion::text),
                   ('ProcessorCount', ProcessorCount::text),
                   ('TotalMemoryMB', round(TotalMemoryMB)::bigint::text),
                   ('AgentVersion', AgentVersion::text),
                   ('MaxTaskCount', MaxTaskCount::text)
           ) AS v (property_name, property_value)
     WHERE v.property_value IS NOT NULL
    ON CONFLICT ON CONSTRAINT pk_machine_properties DO UPDATE
       SET property_value = EXCLUDED.property_value;

    SELECT w.is_enabled INTO IsEnabled
      FROM internal.worker_agents AS w
     WHERE w.worker_agent_id = WorkerAgentId;
END;
$$;
