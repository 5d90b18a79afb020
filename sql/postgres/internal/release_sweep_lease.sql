-- internal.release_sweep_lease
-- The holder gives its lease up (a master stopping, or handing a sweep over). Releasing a lease the
-- caller no longer holds changes nothing and sets Released = false.
-- Caller: the master (scaleout_master).
-- Errors: 51000 a required argument is NULL.
CREATE OR REPLACE PROCEDURE internal.release_sweep_lease(
    SweepName varchar(128) DEFAULT NULL,
    MasterId uuid DEFAULT NULL,
    Epoch bigint DEFAULT NULL,
    INOUT Released boolean DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
BEGIN
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
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@SweepName', SweepName, 128);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    UPDATE internal.sweep_leases AS l
       SET holder_id = NULL,
           expires_at = NULL
     WHERE l.sweep_name = SweepName
       AND l.holder_id = MasterId
       AND l.epoch = Epoch;

    Released := FOUND;
END;
$$;
