-- internal.renew_sweep_lease
-- The holder extends its lease. Refused (51301) unless the caller still holds it at the epoch it
-- was given — a master that lost the lease to another cannot renew it. A lease that expired but
-- that nobody took over is renewed at the same epoch.
-- Caller: the master (scaleout_master). Output: ExpiresAt.
-- Errors: 51000 a required argument is NULL; 51001 LeaseMs out of range; 51301 lease lost.
CREATE OR REPLACE PROCEDURE internal.renew_sweep_lease(
    SweepName varchar(128) DEFAULT NULL,
    MasterId uuid DEFAULT NULL,
    Epoch bigint DEFAULT NULL,
    LeaseMs integer DEFAULT NULL,
    now timestamptz DEFAULT NULL,
    INOUT ExpiresAt timestamptz DEFAULT NULL
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
    END IF;
    IF MasterId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@MasterId') || ' ';
    END IF;
    IF Epoch IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@Epoch') || ' ';
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

    -- Renew, fenced by holder and epoch; table: sweep_leases
    UPDATE internal.sweep_leases AS l
       SET expires_at = v_now + make_interval(secs => LeaseMs / 1000.0),
           renewed_time = v_now
     WHERE l.sweep_name = SweepName
       AND l.holder_id = MasterId
       AND l.epoch = Epoch;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51301, SweepName, MasterId::text, Epoch::text);
    END IF;

    ExpiresAt := v_now + make_interval(secs => LeaseMs / 1000.0);
END;
$$;
