-- catalog.add_execution_worker
-- Lets one more worker agent run an execution created with useanyworker = 0. Adding a worker
-- twice changes nothing.
-- Caller: ssis_admin, ssis_cluster_executor.
-- Errors: 51000 an argument is NULL; 51001 the reserved id; 51101 no such worker agent; 51106 no
-- such execution; 51206 the execution may run on any worker.
CREATE OR REPLACE PROCEDURE catalog.add_execution_worker(
    execution_id bigint DEFAULT NULL,
    workeragent_id uuid DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_any boolean;
BEGIN
    -- Check input parameters
    IF execution_id IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@execution_id') || ' ';
    END IF;
    IF workeragent_id IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@workeragent_id') || ' ';
    ELSIF workeragent_id = '11111111-1111-1111-1111-111111111111'::uuid THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@workeragent_id', '11111111-1111-1111-1111-111111111111', 'this id is reserved: it means any worker') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT e.use_any_worker INTO v_any FROM internal.executions AS e WHERE e.execution_id = execution_id;
    IF v_any IS NULL THEN
        PERFORM internal.raise_error(51106, execution_id::text);
    END IF;
    PERFORM internal.require_permission(4, execution_id, 2, 'execution ' || execution_id::text);
    IF v_any THEN
        PERFORM internal.raise_error(51206, execution_id::text);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM internal.worker_agents AS w WHERE w.worker_agent_id = workeragent_id) THEN
        PERFORM internal.raise_error(51101, workeragent_id::text);
    END IF;

    -- Add; table: execution_workers
    INSERT INTO internal.execution_workers AS ew (execution_id, worker_agent_id)
    VALUES (execution_id, workeragent_id)
    ON CONFLICT ON CONSTRAINT pk_execution_workers DO NOTHING;
END;
$$;
