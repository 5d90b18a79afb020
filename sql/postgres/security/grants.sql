-- Who may do what. Re-applied whenever this file changes.
--   PUBLIC                 reads catalog.master_properties (as in SSISDB)
--   ssis_admin             everything in the catalog schema: views and routines
--   ssis_cluster_executor  sees the workers; runs packages and manages environments where its
--                          object permissions allow (the routines are granted with them)
--   PUBLIC                 the workers' views, empty for non-members (as in SSIS)
--   ssis_logreader         reads the operational log views (granted with them)
--   ssis_cluster_worker    appends execution messages only (granted with that routine)
--   scaleout_master        the internal routines the master calls, and the catalog views
-- catalog and internal routines are SECURITY DEFINER: they reach the internal tables as their
-- owner, and no role is granted anything on a table. Routines are not executable by PUBLIC.

-- First everything these roles hold in the catalog and internal schemas is revoked, so that a
-- grant this file no longer makes is gone once it is applied again (in the same transaction: no
-- moment without the grants that stay).
REVOKE ALL ON ALL TABLES IN SCHEMA catalog, internal
    FROM PUBLIC, ssis_admin, ssis_cluster_executor, ssis_logreader, ssis_cluster_worker, scaleout_master;
REVOKE ALL ON ALL ROUTINES IN SCHEMA catalog, internal
    FROM PUBLIC, ssis_admin, ssis_cluster_executor, ssis_logreader, ssis_cluster_worker, scaleout_master;
REVOKE ALL ON SCHEMA catalog, internal
    FROM PUBLIC, ssis_admin, ssis_cluster_executor, ssis_logreader, ssis_cluster_worker, scaleout_master;

GRANT USAGE ON SCHEMA catalog TO PUBLIC;
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA catalog FROM PUBLIC;
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA internal FROM PUBLIC;

GRANT SELECT ON catalog.master_properties TO PUBLIC;

GRANT SELECT ON ALL TABLES IN SCHEMA catalog TO ssis_admin;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA catalog TO ssis_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalog GRANT SELECT ON TABLES TO ssis_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalog GRANT EXECUTE ON ROUTINES TO ssis_admin;


GRANT USAGE ON SCHEMA internal TO scaleout_master;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA internal TO scaleout_master;
ALTER DEFAULT PRIVILEGES IN SCHEMA internal GRANT EXECUTE ON ROUTINES TO scaleout_master;
GRANT SELECT ON ALL TABLES IN SCHEMA catalog TO scaleout_master;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalog GRANT SELECT ON TABLES TO scaleout_master;

-- Executions: ssis_cluster_executor runs packages; ssis_logreader reads the operational views.
GRANT SELECT ON catalog.folders, catalog.projects, catalog.packages, catalog.object_versions, catalog.object_parameters,
                catalog.executions, catalog.execution_parameter_values, catalog.execution_attempts,
                catalog.environments, catalog.environment_variables, catalog.environment_references
   TO ssis_cluster_executor, ssis_logreader;
-- Every row for ssis_logreader; ssis_cluster_executor sees the operations and messages of what it
-- may read (its own executions, those of projects it may read).
GRANT SELECT ON catalog.operations, catalog.operation_messages, catalog.event_messages TO ssis_logreader, ssis_cluster_executor;
GRANT EXECUTE ON PROCEDURE catalog.create_execution, catalog.add_execution_worker, catalog.set_execution_parameter_value,
                           catalog.start_execution, catalog.start_executions, catalog.stop_operation
   TO ssis_cluster_executor;

-- Object permissions (catalog.grant_permission): the procedures below check the one they need
-- (internal.require_permission), so ssis_cluster_executor may call them; what a member may do is
-- what it was granted on each folder, project, environment and execution.
GRANT EXECUTE ON PROCEDURE catalog.create_environment, catalog.delete_environment, catalog.rename_environment,
                           catalog.move_environment, catalog.create_environment_variable,
                           catalog.set_environment_variable_value, catalog.set_environment_variable_property,
                           catalog.delete_environment_variable, catalog.create_environment_reference,
                           catalog.delete_environment_reference, catalog.set_object_parameter_value, catalog.clear_object_parameter_value,
                           catalog.deploy_project,
                           catalog.grant_permission, catalog.deny_permission, catalog.revoke_permission
   TO ssis_cluster_executor;
GRANT SELECT ON catalog.explicit_object_permissions, catalog.effective_object_permissions
   TO ssis_cluster_executor, ssis_logreader;

-- The views filter their rows with these functions, which run with the privileges of whoever
-- reads the view: everyone may call them (each answers only about its caller).
GRANT USAGE ON SCHEMA internal TO PUBLIC;
GRANT EXECUTE ON FUNCTION internal.is_catalog_admin(), internal.sees_all_objects(), internal.may(integer, bigint, integer)
   TO PUBLIC;
-- A non-member reading the workers gets no rows, as in SSIS, rather than a permission error.
GRANT SELECT ON catalog.worker_agents, catalog.worker_agent_perfcounter TO PUBLIC;

-- The log writer appends execution messages, and nothing else.
GRANT USAGE ON SCHEMA internal TO ssis_cluster_worker;
GRANT EXECUTE ON PROCEDURE internal.append_execution_messages TO ssis_cluster_worker;

-- Key rotation (scaleout catalog key rotate) is a DBA's: the values under old keys, one at a time.
GRANT USAGE ON SCHEMA internal TO ssis_admin;
GRANT EXECUTE ON FUNCTION internal.protected_values TO ssis_admin;
GRANT EXECUTE ON PROCEDURE internal.replace_protected_value TO ssis_admin;

-- catalog.start_execution runs as its caller (it commits while SYNCHRONIZED holds it, which a
-- SECURITY DEFINER procedure may not): its callers reach the two routines it calls.
GRANT USAGE ON SCHEMA internal TO ssis_cluster_executor;
GRANT EXECUTE ON PROCEDURE internal.start_execution_now TO ssis_admin, ssis_cluster_executor;
GRANT EXECUTE ON FUNCTION internal.execution_status TO ssis_admin, ssis_cluster_executor;
