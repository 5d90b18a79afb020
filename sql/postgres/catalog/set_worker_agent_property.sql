-- catalog.set_worker_agent_property
-- Sets one property of a worker agent: DisplayName (up to 256 characters), Description, Tags
-- (comma-separated; NULL or empty clears them) or MaxTaskCount (1 to 1000). Property names are
-- matched without regard to case.
-- Caller: DBA (ssis_admin).
-- Errors: 51000 WorkerAgentId or PropertyName is NULL; 51001 reserved id, unknown property name
-- or invalid value; 51101 no such worker agent.
CREATE OR REPLACE PROCEDURE catalog.set_worker_agent_property(
    WorkerAgentId uuid DEFAULT NULL,
    PropertyName varchar(256) DEFAULT NULL,
    PropertyValue anycompatible DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    -- PropertyValue is anycompatible: 42 and 'worker one' are both taken, as T-SQL converts them.
    v_value text := PropertyValue::text;
    error_number integer;
    error_message text := '';
    property text := lower(PropertyName);
    max_task_count integer := CASE WHEN v_value ~ '^\s*[+-]?[0-9]{1,9}\s*$' THEN v_value::integer END;
BEGIN
    -- Check input parameters
    IF WorkerAgentId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@WorkerAgentId') || ' ';
    ELSIF WorkerAgentId = '11111111-1111-1111-1111-111111111111'::uuid THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@WorkerAgentId', '11111111-1111-1111-1111-111111111111', 'this id is reserved: it means any worker') || ' ';
    END IF;
    IF PropertyName IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@PropertyName') || ' ';
    ELSIF property NOT IN ('displayname', 'description', 'tags', 'maxtaskcount') THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@PropertyName', PropertyName, 'one of DisplayName, Description, Tags, MaxTaskCount') || ' ';
    ELSIF property = 'displayname' AND length(v_value) > 256 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@PropertyValue', left(v_value, 40) || '...', 'at most 256 characters') || ' ';
    ELSIF property = 'maxtaskcount' AND (max_task_count IS NULL OR max_task_count NOT BETWEEN 1 AND 1000) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@PropertyValue', v_value, 'a whole number from 1 to 1000') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@PropertyValue', v_value, 4000);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Set; table: worker_agents
    UPDATE internal.worker_agents AS w
       SET display_name = CASE WHEN property = 'displayname' THEN v_value ELSE w.display_name END,
           description = CASE WHEN property = 'description' THEN v_value ELSE w.description END,
           tags = CASE WHEN property = 'tags' THEN NULLIF(btrim(v_value), '') ELSE w.tags END,
           max_task_count = CASE WHEN property = 'maxtaskcount' THEN max_task_count ELSE w.max_task_count END
     WHERE w.worker_agent_id = WorkerAgentId;

    IF NOT FOUND THEN
        PERFORM internal.raise_error(51101, WorkerAgentId::text);
    END IF;
END;
$$;
