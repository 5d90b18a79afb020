-- internal.keep_server_parameter_values
-- At a deployment, before the project's current version moves to new_lsn: the values set on the
-- server for the current version's parameters (catalog.set_object_parameter_value, a literal or
-- an environment variable) stay with the new version's parameters that keep their name, type and
-- sensitivity, as SSIS keeps them.
-- Caller: catalog.deploy_project, inside its transaction. Errors: 51000.
CREATE OR REPLACE PROCEDURE internal.keep_server_parameter_values(
    project_id bigint DEFAULT NULL,
    new_lsn bigint DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    -- Check input parameters
    IF project_id IS NULL OR new_lsn IS NULL THEN
        PERFORM internal.raise_error(51000, CASE WHEN project_id IS NULL THEN '@project_id' ELSE '@new_lsn' END);
    END IF;

    -- Table: object_parameters
    UPDATE internal.object_parameters AS op
       SET default_value = prev.default_value,
           value_type = prev.value_type,
           referenced_variable_name = prev.referenced_variable_name,
           value_set = true,
           server_value_set = true
      FROM internal.projects AS p
      JOIN internal.object_parameters AS prev
        ON prev.project_version_lsn = p.object_version_lsn
     WHERE p.project_id = project_id
       AND op.project_version_lsn = new_lsn
       AND prev.server_value_set
       AND prev.object_type = op.object_type
       AND lower(prev.object_name) = lower(op.object_name)
       AND lower(prev.parameter_name) = lower(op.parameter_name)
       AND prev.data_type = op.data_type
       AND prev.sensitive = op.sensitive;
END;
$$;
