-- catalog.enable_worker_agent
-- Lets a worker agent take new tasks.
-- Caller: DBA (ssis_admin).
-- Errors: 51000 WorkerAgentId is NULL; 51001 the reserved "any worker" id; 51101 no such worker agent.
CREATE OR REPLACE PROCEDURE catalog.enable_worker_agent(
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

    -- Enable; table: worker_agents
    UPDATE internal.worker_agents AS w
       SET is_enabled = true
     WHERE w.worker_agent_id = WorkerAgentId;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51101, WorkerAgentId::text);
    END IF;

    -- Tasks may be waiting for this worker: wake the masters' long polls (delivered at commit).
    PERFORM pg_notify('scaleout_tasks', '');
END;
$$;
