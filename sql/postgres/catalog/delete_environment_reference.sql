-- catalog.delete_environment_reference
-- Deletes an environment reference. Executions created with it keep the environment's folder and
-- name, and take its values when they start.
-- Caller: DBA (ssis_admin). Returns nothing.
-- Errors: 51000, 51112 no such reference.
CREATE OR REPLACE PROCEDURE catalog.delete_environment_reference(
    reference_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_deleted bigint;
BEGIN
    -- Check input parameters
    IF reference_id IS NULL THEN
        PERFORM internal.raise_error(51000, '@reference_id');
    END IF;

    -- Delete; table: environment_references
    DELETE FROM internal.environment_references AS r
     WHERE r.reference_id = reference_id
    RETURNING r.reference_id INTO v_deleted;
    IF v_deleted IS NULL THEN
        PERFORM internal.raise_error(51112, reference_id::text, '');
    END IF;
END;
$$;
