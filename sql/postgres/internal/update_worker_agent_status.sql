-- internal.update_worker_agent_status
-- A worker agent's heartbeat: last online time, machine name and account, and its counters (CPU %,
-- available memory, running tasks, and its execution log lines waiting for delivery and those it
-- could not deliver, which scaleout doctor reports, and the days its certificate has left, which the
-- master reads off the certificate it presented). Returns whether the worker is enabled. Never changes
-- IsEnabled, so a DBA's enable or disable racing a heartbeat always stands.
-- Caller: the master (scaleout_master), for each agent heartbeat. Output: IsEnabled.
-- Errors: 51000, 51001; 51101 the worker has not registered (or was deleted); 51402 the worker
-- presented a certificate other than the one registered for it.
CREATE OR REPLACE PROCEDURE internal.update_worker_agent_status(
    WorkerAgentId uuid DEFAULT NULL,
    CertificateThumbprint varchar(256) DEFAULT NULL,
    MachineName varchar(256) DEFAULT NULL,
    UserAccount varchar(256) DEFAULT NULL,
    CpuPercent double precision DEFAULT NULL,
    AvailableMemoryMB double precision DEFAULT NULL,
    RunningTaskCount integer DEFAULT NULL,
    LogLinesPending bigint DEFAULT NULL,
    LogLinesUndeliverable bigint DEFAULT NULL,
    CertificateDaysLeft double precision DEFAULT NULL,
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
    registered_thumbprint varchar(128);
BEGIN
    -- Check input parameters
    IF WorkerAgentId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@WorkerAgentId') || ' ';
    END IF;
    IF CertificateThumbprint IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@CertificateThumbprint') || ' ';
    ELSIF thumbprint IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@CertificateThumbprint', CertificateThumbprint, '40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)') || ' ';
    END IF;
    IF CpuPercent IS NOT NULL AND (CpuPercent < 0 OR CpuPercent > 100) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@CpuPercent', CpuPercent::text, 'from 0 to 100') || ' ';
    END IF;
    IF AvailableMemoryMB IS NOT NULL AND (AvailableMemoryMB < 0 OR AvailableMemoryMB > 1e9) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@AvailableMemoryMB', AvailableMemoryMB::text, 'megabytes from 0 to 1000000000') || ' ';
    END IF;
    IF RunningTaskCount IS NOT NULL AND RunningTaskCount < 0 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@RunningTaskCount', RunningTaskCount::text, '0 or more') || ' ';
    END IF;
    IF LogLinesPending < 0 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@LogLinesPending', LogLinesPending::text, '0 or more') || ' ';
    END IF;
    IF LogLinesUndeliverable < 0 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@LogLinesUndeliverable', LogLinesUndeliverable::text, '0 or more') || ' ';
    END IF;
    IF CertificateDaysLeft IS NOT NULL AND (CertificateDaysLeft < -36500 OR CertificateDaysLeft > 36500) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@CertificateDaysLeft', CertificateDaysLeft::text, 'days from -36500 to 36500') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@MachineName', MachineName, 256)
        || internal.length_problem('@UserAccount', UserAccount, 256);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Record; table order: worker_agents, worker_certificates, worker_agent_perfcounter
    UPDATE internal.worker_agents AS w
       SET last_online_time = v_now,
           machine_name = COALESCE(MachineName, w.machine_name),
           user_account = COALESCE(UserAccount, w.user_account),
           running_task_count = COALESCE(RunningTaskCount, w.running_task_count)
     WHERE w.worker_agent_id = WorkerAgentId
    RETURNING w.is_enabled INTO IsEnabled;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51101, WorkerAgentId::text);
    END IF;

    SELECT c.thumbprint INTO registered_thumbprint
      FROM internal.worker_certificates AS c
     WHERE c.worker_agent_id = WorkerAgentId;

    IF registered_thumbprint IS NULL OR registered_thumbprint <> thumbprint THEN
        PERFORM internal.raise_error(51402, WorkerAgentId::text, thumbprint, registered_thumbprint);
    END IF;

    INSERT INTO internal.worker_agent_perfcounter AS p (worker_agent_id, counter_name, counter_value, time_stamp)
    SELECT WorkerAgentId, v.counter_name, v.counter_value, v_now
      FROM (VALUES ('CpuPercent', CpuPercent),
                   ('AvailableMemoryMB', AvailableMemoryMB),
                   ('RunningTaskCount', RunningTaskCount::double precision),
                   ('LogLinesPending', LogLinesPending::double precision),
                   ('LogLinesUndeliverable', LogLinesUndeliverable::double precision),
                   ('CertificateDaysLeft', CertificateDaysLeft)
           ) AS v (counter_name, counter_value)
     WHERE v.counter_value IS NOT NULL
    ON CONFLICT ON CONSTRAINT pk_worker_agent_perfcounter DO UPDATE
       SET counter_value = EXCLUDED.counter_value,
           time_stamp = EXCLUDED.time_stamp;
END;
$$;
