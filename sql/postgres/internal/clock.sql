-- internal.clock
-- The time a procedure works with: the server's clock, or the time its caller passed in @now when
-- the caller owns the catalog (the contract tests, which move time on). Anyone else's @now is
-- ignored: the master's login could otherwise expire every lease by passing a time ahead, and the
-- log writer backdate what it stores.
-- Callers: every procedure that takes @now.
CREATE OR REPLACE FUNCTION internal.clock(
    now timestamptz
)
RETURNS timestamptz
LANGUAGE sql
STABLE
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT CASE
               WHEN now IS NOT NULL
                    AND pg_catalog.pg_has_role(session_user,
                                               (SELECT n.nspowner FROM pg_catalog.pg_namespace AS n WHERE n.nspname = 'internal'),
                                               'MEMBER')
               THEN now
               ELSE pg_catalog.now()
           END;
$$;
