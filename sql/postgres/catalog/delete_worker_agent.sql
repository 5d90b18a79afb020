-- catalog.delete_worker_agent
-- Removes a worker agent, its certificate trust, machine properties and counters (Scale Out
-- Manager's "Delete worker"). Refused while the worker holds tasks, unless Force = true: then its
-- attempts end as if their leases had expired (retried while attempts remain).
-- Caller: DBA (ssis_admin).
-- Errors: 51000 WorkerAgentId is NULL (NULL Force means false); 51001 the reserved id or Force not a bit; 51101 no such worker
-- agent; 51203 the worker holds running tasks.
CREATE OR REPLACE PROCEDURE catalog.delete_worker_agent(
    WorkerAgentId uuid DEFAULT NULL,
    Force anycompatible DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    running integer;
    r record;
    v_status integer;
    v_retry boolean;
BEGIN
    -- Check input parameters
    IF WorkerAgentId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@WorkerAgentId') || ' ';
    ELSIF WorkerAgentId = '11111111-1111-1111-1111-111111111111'::uuid THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@WorkerAgentId', '11111111-1111-1111-1111-111111111111', 'this id is reserved: it means any worker') || ' ';
    END IF;
    IF Force IS NOT NULL AND internal.bit_value(Force::text) IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@Force', Force::text, '1 or 0 (true or false)') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Delete; table order: worker_agents (cascades to its certificate, properties, counters), tasks,
    -- operations, operation_messages
    PERFORM 1 FROM internal.worker_agents AS w WHERE w.worker_agent_id = WorkerAgentId FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM internal.raise_error(51101, WorkerAgentId::text);
    END IF;
    SELECT count(*) INTO running FROM internal.tasks AS t WHERE t.worker_agent_id = WorkerAgentId AND t.status IN (2, 3);
    IF running > 0 AND NOT COALESCE(internal.bit_value(Force::text), false) THEN
        PERFORM internal.raise_error(51203, WorkerAgentId::text, running::text);
    END IF;

    FOR r IN
        SELECT t.task_id FROM internal.tasks AS t
         WHERE t.worker_agent_id = WorkerAgentId AND t.status IN (2, 3)
           FOR UPDATE
    LOOP
        CALL internal.end_task_attempt(r.task_id, 'expired', 'The worker agent was deleted.', NULL, v_status, v_retry);
    END LOOP;

    DELETE FROM internal.worker_agents AS w
     WHERE w.worker_agent_id = WorkerAgentId;
END;
$$;
