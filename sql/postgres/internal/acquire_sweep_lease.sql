-- internal.acquire_sweep_lease
-- Asks for the lease on one sweep. The caller gets it when nobody holds it, when the holder's lease
-- has expired, or when it holds it already (then it is renewed). The epoch increases whenever the
-- holder changes: it fences a stale holder out (internal.renew_sweep_lease refuses it).
-- Two masters asking at the same instant: exactly one gets it.
-- Caller: the master (scaleout_master). Outputs: Acquired, and the lease as it now stands
-- (Epoch, ExpiresAt, HolderId).
-- Errors: 51000 a required argument is NULL; 51001 SweepName blank or LeaseMs out of range.
CREATE OR REPLACE PROCEDURE internal.acquire_sweep_lease(
    SweepName varchar(128) DEFAULT NULL,
    MasterId uuid DEFAULT NULL,
    LeaseMs integer DEFAULT NULL,
    now timestamptz DEFAULT NULL,
    INOUT Acquired boolean DEFAULT NULL,
    INOUT Epoch bigint DEFAULT NULL,
    INOUT ExpiresAt timestamptz DEFAULT NULL,
    INOUT HolderId uuid DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_now timestamptz := internal.clock(now);
BEGIN
    -- Check input parameters
    IF SweepName IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@SweepName') || ' ';
    ELSIF btrim(SweepName) = '' THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@SweepName', SweepName, 'a sweep name') || ' ';
    END IF;
    IF MasterId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@MasterId') || ' ';
    END IF;
    IF LeaseMs IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@LeaseMs') || ' ';
    ELSIF LeaseMs NOT BETWEEN 1000 AND 86400000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@LeaseMs', LeaseMs::text, 'milliseconds from 1000 to 86400000') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@SweepName', SweepName, 128);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Acquire or renew; table: sweep_leases
    INSERT INTO internal.sweep_leases AS l (sweep_name, epoch)
    VALUES (SweepName, 0)
    ON CONFLICT ON CONSTRAINT pk_sweep_leases DO NOTHING;

    UPDATE internal.sweep_leases AS l
       SET epoch = CASE WHEN l.holder_id = MasterId THEN l.epoch ELSE l.epoch + 1 END,
           acquired_time = CASE WHEN l.holder_id = MasterId THEN l.acquired_time ELSE v_now END,
           holder_id = MasterId,
           expires_at = v_now + make_interval(secs => LeaseMs / 1000.0),
           renewed_time = v_now
     WHERE l.sweep_name = SweepName
       AND (l.holder_id IS NULL OR l.holder_id = MasterId OR l.expires_at <= v_now);

    Acquired := FOUND;

    SELECT l.epoch, l.expires_at, l.holder_id
      INTO Epoch, ExpiresAt, HolderId
      FROM internal.sweep_leases AS l
     WHERE l.sweep_name = SweepName;
END;
$$;
