-- internal.clock
-- The time a procedure works with: the server's clock, or the time its caller passed in @now when
-- the caller owns the catalog (the contract tests, which move time on). Anyone else's @now is
-- ignored: the master's login could otherwise expire every lease by passing a time ahead, and the
-- log writer backdate what it stores.
-- Callers: every procedure that takes @now.
-- PL/pgSQL, not SQL: with its SET clause a SQL function is never inlined, and its query was
-- planned again on every call (twice per claimed and completed task); here the usual call, without
-- @now, runs no query at all.
CREATE OR REPLACE FUNCTION internal.clock(
    now timestamptz
)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
SET search_path = catalog, internal, pg_temp
AS $$
BEGIN
    IF now IS NULL THEN
        RETURN pg_catalog.now();
    END IF;
    IF pg_catalog.pg_has_role(session_user,
                              (SELECT n.nspowner FROM pg_catalog.pg_namespace AS n WHERE n.nspname = 'internal'),
                              'MEMBER') THEN
        RETURN now;
    END IF;
    RETURN pg_catalog.now();
END;
$$;
