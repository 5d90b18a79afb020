-- catalog.delete_environment_reference
-- Deletes an environment reference. Executions created with it keep the environment's folder and
-- name, and take its values when they start.
-- Caller: ssis_admin, or ssis_cluster_executor with MODIFY on the project. Returns nothing.
-- Errors: 51000, 51112 no such reference, 51405 no MODIFY on the project.
CREATE OR REPLACE PROCEDURE catalog.delete_environment_reference(
    reference_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_project_id bigint;
BEGIN
    -- Check input parameters
    IF reference_id IS NULL THEN
        PERFORM internal.raise_error(51000, '@reference_id');
    END IF;

    -- Delete; table: environment_references (the project's MODIFY is needed)
    SELECT r.project_id INTO v_project_id FROM internal.environment_references AS r WHERE r.reference_id = reference_id FOR UPDATE;
    IF v_project_id IS NULL THEN
        PERFORM internal.raise_error(51112, reference_id::text, '');
    END IF;
    PERFORM internal.require_permission(2, v_project_id, 2, format('project %s', v_project_id));
    DELETE FROM internal.environment_references AS r WHERE r.reference_id = reference_id;
END;
$$;
