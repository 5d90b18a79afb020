-- internal.check_sweep_lease
-- The fence of a sweep: with MasterId and Epoch, the caller must hold the sweep's lease at that
-- epoch, unexpired, or the sweep is refused (51301) — a master that stalled past its lease cannot
-- sweep beside the new holder. The lease row stays share-locked to the end of the caller's
-- transaction, so it cannot move on meanwhile. Without MasterId and Epoch (a DBA, the tests)
-- nothing is checked; one without the other is 51001.
-- Callers: the sweep procedures, first thing in their transaction.
CREATE OR REPLACE PROCEDURE internal.check_sweep_lease(
    SweepName varchar(128) DEFAULT NULL,
    MasterId uuid DEFAULT NULL,
    Epoch bigint DEFAULT NULL,
    now timestamptz DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    IF (MasterId IS NULL) <> (Epoch IS NULL) THEN
        PERFORM internal.raise_error(51001, '@Epoch', COALESCE(Epoch::text, 'NULL'), 'given together with @MasterId, or neither');
    END IF;
    IF MasterId IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1
       FROM internal.sweep_leases AS l
      WHERE l.sweep_name = SweepName
        AND l.holder_id = MasterId
        AND l.epoch = Epoch
        AND l.expires_at > now
        FOR SHARE;
    IF NOT FOUND THEN
        PERFORM internal.raise_error(51301, SweepName, MasterId::text, Epoch::text);
    END IF;
END;
$$;
