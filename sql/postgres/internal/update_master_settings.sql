-- internal.update_master_settings
-- A master announces itself at start-up: publishes MACHINE_NAME, MACHINE_IP, MASTER_SERVICE_PORT,
-- SSLCERT_THUMBPRINT, MASTER_HEARTBEAT_INTERVALINMS and LAST_ONLINE_TIME, and records its instance
-- in catalog.masters (started now).
-- Caller: the master (scaleout_master).
-- Errors: 51000 a required argument is NULL; 51001 port or interval not a number in range.
CREATE OR REPLACE PROCEDURE internal.update_master_settings(
    MasterId uuid DEFAULT NULL,
    MachineName varchar(256) DEFAULT NULL,
    MachineIP varchar(256) DEFAULT NULL,
    MasterServicePort varchar(256) DEFAULT NULL,
    SSLCertThumbprint varchar(256) DEFAULT NULL,
    MasterHeartbeatIntervalInMs varchar(256) DEFAULT NULL,
    Address varchar(256) DEFAULT NULL,
    ProcessId integer DEFAULT NULL,
    Version varchar(64) DEFAULT NULL,
    now timestamptz DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    port integer := CASE WHEN MasterServicePort ~ '^\s*[+]?[0-9]{1,9}\s*$' THEN MasterServicePort::integer END;
    interval_ms integer := CASE WHEN MasterHeartbeatIntervalInMs ~ '^\s*[+]?[0-9]{1,9}\s*$' THEN MasterHeartbeatIntervalInMs::integer END;
    v_now timestamptz := internal.clock(now);
BEGIN
    -- Check input parameters
    IF MasterId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@MasterId') || ' ';
    END IF;
    IF MachineName IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@MachineName') || ' ';
    END IF;
    IF MasterServicePort IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@MasterServicePort') || ' ';
    ELSIF port IS NULL OR port NOT BETWEEN 1 AND 65535 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@MasterServicePort', MasterServicePort, 'a TCP port from 1 to 65535') || ' ';
    END IF;
    IF SSLCertThumbprint IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@SSLCertThumbprint') || ' ';
    ELSIF internal.normalize_thumbprint(SSLCertThumbprint) IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@SSLCertThumbprint', SSLCertThumbprint, '40 or 64 hexadecimal digits (a SHA-1 or SHA-256 thumbprint)') || ' ';
    END IF;
    IF MasterHeartbeatIntervalInMs IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@MasterHeartbeatIntervalInMs') || ' ';
    ELSIF interval_ms IS NULL OR interval_ms NOT BETWEEN 1000 AND 3600000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@MasterHeartbeatIntervalInMs', MasterHeartbeatIntervalInMs, 'milliseconds from 1000 to 3600000') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@MachineName', MachineName, 256)
        || internal.length_problem('@MachineIP', MachineIP, 256)
        || internal.length_problem('@Address', Address, 256)
        || internal.length_problem('@Version', Version, 64)
        || internal.length_problem('@SSLCertThumbprint', SSLCertThumbprint, 128);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Publish; table order: master_properties, masters
    UPDATE internal.master_properties AS mp
       SET property_value = v.property_value
      FROM (VALUES ('MACHINE_NAME', MachineName::text),
                   ('MACHINE_IP', COALESCE(MachineIP, '')::text),
                   ('MASTER_SERVICE_PORT', MasterServicePort::text),
                   ('SSLCERT_THUMBPRINT', SSLCertThumbprint::text),
                   ('MASTER_HEARTBEAT_INTERVALINMS', MasterHeartbeatIntervalInMs::text),
                   ('LAST_ONLINE_TIME', to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
           ) AS v (property_name, property_value)
     WHERE mp.property_name = v.property_name;

    INSERT INTO internal.masters AS m
           (master_id, machine_name, machine_ip, address, process_id, version, started_time, last_heartbeat_time)
    VALUES (MasterId, MachineName, MachineIP, Address, ProcessId, Version, v_now, v_now)
    ON CONFLICT ON CONSTRAINT pk_masters DO UPDATE
       SET machine_name = EXCLUDED.machine_name,
           machine_ip = EXCLUDED.machine_ip,
           address = EXCLUDED.address,
           process_id = EXCLUDED.process_id,
           version = EXCLUDED.version,
           started_time = EXCLUDED.started_time,
           last_heartbeat_time = EXCLUDED.last_heartbeat_time,
           stopped_time = NULL;
END;
$$;
