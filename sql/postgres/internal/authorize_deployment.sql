-- internal.authorize_deployment
-- What a deployment needs, as in SSIS: a new project CREATE_OBJECTS on its folder (and its deployer
-- then holds READ, MODIFY, EXECUTE and MANAGE_PERMISSIONS on it); a new version of a project
-- MODIFY on the project. A catalog admin needs neither.
-- Caller: catalog.deploy_project, inside its transaction, once the project row is there (a
-- refusal rolls it back). Errors: 51405.
CREATE OR REPLACE PROCEDURE internal.authorize_deployment(
    folder_id bigint DEFAULT NULL,
    project_id bigint DEFAULT NULL,
    is_new boolean DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    IF is_new THEN
        PERFORM internal.require_permission(1, folder_id, 100,
            format('folder ''%s''', (SELECT f.name FROM internal.folders AS f WHERE f.folder_id = folder_id)));
        CALL internal.grant_creator_permissions(2, project_id);
    ELSE
        PERFORM internal.require_permission(2, project_id, 2,
            format('project ''%s''', (SELECT p.name FROM internal.projects AS p WHERE p.project_id = project_id)));
    END IF;
END;
$$;
