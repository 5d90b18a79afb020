-- catalog.disable_worker_agent
-- Stops new tasks going to a worker agent at once. Tasks it is already running go on to their end:
-- their heartbeats and results are still accepted, so disabling drains a worker.
-- Caller: DBA (ssis_admin).
-- Errors: 51000 WorkerAgentId is NULL; 51001 the reserved "any worker" id; 51101 no such worker agent.
CREATE OR REPLACE PROCEDURE catalog.disable_worker_agent(
    WorkerAgentId uuid DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    -- Check input parameters
    IF WorkerAgentId IS NULL THEN
        PERFORM internal.raise_error(51000, '@WorkerAgentId');
    END IF;
    IF WorkerAgentId = '11111111-1111-1111-1111-111111111111'::uuid THEN
        PERFORM internal.raise_error(51001, '@WorkerAgentId', '11111111-1111-1111-1111-111111111111', 'this id is reserved: it means any worker');
    END IF;

    -- Disable; table: worker_agents
    UPDATE internal.worker_agents AS w
       SET is_enabled = false
     WHERE w.worker_agent_id = WorkerAgentId;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51101, WorkerAgentId::text);
    END IF;
END;
$$;
