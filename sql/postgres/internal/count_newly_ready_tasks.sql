-- internal.count_newly_ready_tasks
-- How many queued tasks became ready after Since (and are ready now): tasks whose retry delay ran
-- out, and tasks started by a client whose notification the master could not hear. The master's
-- dispatcher asks once per DispatchPollIntervalInMs while workers wait, passing the previous
-- answer's ReadAt as Since, and wakes a waiting claim when the count is above 0. DelayedOnly
-- counts only retries whose backoff ran out (ready_at later than the requeue): a master that hears
-- every other readiness by LISTEN asks for those alone, and reads only the retries of the interval
-- (ix_tasks_delayed_ready), however long the backlog. Without DelayedOnly it reads every queued
-- task. Reads only.
-- Caller: the master (scaleout_master). Outputs: NewlyReady, ReadAt.
-- Errors: 51000 (Since, DelayedOnly).
CREATE OR REPLACE PROCEDURE internal.count_newly_ready_tasks(
    Since timestamptz DEFAULT NULL,
    DelayedOnly boolean DEFAULT false,
    now timestamptz DEFAULT NULL,
    INOUT NewlyReady integer DEFAULT NULL,
    INOUT ReadAt timestamptz DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    IF Since IS NULL THEN
        PERFORM internal.raise_error(51000, '@Since');
    END IF;
    IF DelayedOnly IS NULL THEN
        PERFORM internal.raise_error(51000, '@DelayedOnly');
    END IF;

    ReadAt := CASE WHEN now IS NULL THEN clock_timestamp() ELSE internal.clock(now) END;
    IF DelayedOnly THEN
        -- Stated as ix_tasks_delayed_ready's predicate, so that the poll seeks it.
        SELECT count(*)::integer INTO NewlyReady
          FROM internal.tasks AS t
         WHERE t.status = 1
           AND t.ready_at > t.last_updated_time
           AND t.ready_at > Since
           AND t.ready_at <= ReadAt;
    ELSE
        SELECT count(*)::integer INTO NewlyReady
          FROM internal.tasks AS t
         WHERE t.status = 1
           AND t.ready_at > Since
           AND t.ready_at <= ReadAt;
    END IF;
END;
$$;
