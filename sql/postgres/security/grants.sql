-- Who may do what. Re-applied whenever this file changes.
--   PUBLIC                 reads catalog.master_properties (as in SSISDB)
--   ssis_admin             everything in the catalog schema: views and routines
--   ssis_cluster_executor  sees the workers (execution routines are granted with them)
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
REVOKE ALL ON SCHEMA internal FROM PUBLIC;
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA catalog FROM PUBLIC;
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA internal FROM PUBLIC;

GRANT SELECT ON catalog.master_properties TO PUBLIC;

GRANT SELECT ON ALL TABLES IN SCHEMA catalog TO ssis_admin;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA catalog TO ssis_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalog GRANT SELECT ON TABLES TO ssis_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA catalog GRANT EXECUTE ON ROUTINES TO ssis_admin;

GRANT SELECT ON catalog.worker_agents TO ssis_cluster_executor;
GRANT SELECT ON catalog.worker_agent_perfcounter TO ssis_cluster_executor;

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
GRANT SELECT ON catalog.operations, catalog.operation_messages, catalog.event_messages TO ssis_logreader;
GRANT EXECUTE ON PROCEDURE catalog.create_execution, catalog.add_execution_worker, catalog.set_execution_parameter_value,
                           catalog.start_execution, catalog.stop_operation
   TO ssis_cluster_executor;

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
