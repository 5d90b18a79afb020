SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    Who may do what. Re-applied whenever this file changes.
      public                 reads catalog.master_properties (as in SSISDB)
      ssis_admin             everything in the catalog schema: views and procedures
      ssis_cluster_executor  sees the workers; runs packages and manages environments where its
                             object permissions allow (the procedures are granted with them)
      public                 the workers' views, empty for non-members (as in SSIS)
      ssis_logreader         reads the operational log views (granted with them)
      ssis_cluster_worker    appends execution messages only (granted with that procedure)
      scaleout_master        the internal procedures the master calls, and the catalog views
    Procedures reach the internal tables through ownership chaining (everything is owned by dbo):
    no role is granted anything on a table.
    First everything these roles hold on the catalog and internal schemas and their objects is
    revoked, so that a grant this file no longer makes is gone once it is applied again. (Grants on
    the protection key and certificates belong to migration 0006 and catalog.set_protection_key.)
*/
DECLARE @revoke nvarchar(max) = N'';
SELECT
    @revoke = @revoke + N'REVOKE ' + p.permission_name + N' ON '
    + CASE
        WHEN p.class = 3 THEN N'SCHEMA::' + QUOTENAME(SCHEMA_NAME(p.major_id))
        ELSE QUOTENAME(OBJECT_SCHEMA_NAME(p.major_id)) + N'.' + QUOTENAME(OBJECT_NAME(p.major_id))
    END
    + N' FROM ' + QUOTENAME(r.name) + N'; '
FROM sys.database_permissions AS p
INNER JOIN sys.database_principals AS r
    ON r.principal_id = p.grantee_principal_id
WHERE
    p.state IN ('G', 'W')
    AND r.name IN (
        N'public', N'ssis_admin', N'ssis_cluster_executor', N'ssis_logreader', N'ssis_cluster_worker', N'scaleout_master'
    )
    AND (
        (p.class = 3 AND SCHEMA_NAME(p.major_id) IN (N'catalog', N'internal'))
        OR (p.class = 1 AND OBJECT_SCHEMA_NAME(p.major_id) IN (N'catalog', N'internal'))
    );
IF @revoke <> N''
    EXEC sys.sp_executesql @revoke;
GO

GRANT SELECT ON [catalog].master_properties TO [public];
GO

GRANT SELECT, EXECUTE ON SCHEMA::[catalog] TO ssis_admin;
GO

/* A non-member reading the workers gets no rows, as in SSIS, rather than Msg 229. */
GRANT SELECT ON [catalog].worker_agents TO [public];
GRANT SELECT ON [catalog].worker_agent_perfcounter TO [public];
GO

GRANT EXECUTE ON SCHEMA::internal TO scaleout_master;
GRANT SELECT ON SCHEMA::[catalog] TO scaleout_master;
GO

/* Executions: ssis_cluster_executor runs packages; ssis_logreader reads the operational views. */
GRANT SELECT ON [catalog].folders TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].projects TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].packages TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].object_versions TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].object_parameters TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].executions TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].execution_parameter_values TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].execution_attempts TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].environments TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].environment_variables TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].environment_references TO ssis_cluster_executor, ssis_logreader;
/* Every row for ssis_logreader; ssis_cluster_executor sees the operations and messages of what it may read. */
GRANT SELECT ON [catalog].operations TO ssis_logreader, ssis_cluster_executor;
GRANT SELECT ON [catalog].operation_messages TO ssis_logreader, ssis_cluster_executor;
GRANT SELECT ON [catalog].event_messages TO ssis_logreader, ssis_cluster_executor;
GRANT SELECT ON [catalog].explicit_object_permissions TO ssis_cluster_executor, ssis_logreader;
GRANT SELECT ON [catalog].effective_object_permissions TO ssis_cluster_executor, ssis_logreader;
GRANT EXECUTE ON [catalog].create_execution TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].add_execution_worker TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].set_execution_parameter_value TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].start_execution TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].start_executions TO ssis_cluster_executor;
/*
    Declaring a variable of the table type catalog.start_executions takes needs EXECUTE on the type
    (ssis_admin has it through the schema). Through EXEC: sqlfluff, the gate every T-SQL file passes,
    cannot parse GRANT ... ON TYPE::.
*/
EXEC sys.sp_executesql N'GRANT EXECUTE ON TYPE::[catalog].execution_requests TO ssis_cluster_executor;';
GRANT EXECUTE ON [catalog].stop_operation TO ssis_cluster_executor;
GO

/*
    Object permissions (catalog.grant_permission): the procedures below check the one they need
    (internal.require_permission), so ssis_cluster_executor may call them; what a member may do is
    what it was granted on each folder, project, environment and execution.
*/
GRANT EXECUTE ON [catalog].create_environment TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].delete_environment TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].rename_environment TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].move_environment TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].create_environment_variable TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].set_environment_variable_value TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].set_environment_variable_property TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].delete_environment_variable TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].create_environment_reference TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].delete_environment_reference TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].set_object_parameter_value TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].clear_object_parameter_value TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].deploy_project TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].grant_permission TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].deny_permission TO ssis_cluster_executor;
GRANT EXECUTE ON [catalog].revoke_permission TO ssis_cluster_executor;
GO

/*
    Granting by name, and the names in catalog.explicit_object_permissions, read the database's
    principals, which SQL Server shows a user only when it may see their metadata: these roles see
    the database's metadata (principals' names, and the catalog's code, which is open source anyway).
*/
/* (Through sp_executesql: the T-SQL gate's parser cannot read a database-wide GRANT VIEW DEFINITION.) */
EXEC sys.sp_executesql N'GRANT VIEW DEFINITION TO ssis_cluster_executor; GRANT VIEW DEFINITION TO ssis_logreader;';
GO

/* The log writer appends execution messages, and nothing else. */
GRANT EXECUTE ON internal.append_execution_messages TO ssis_cluster_worker;
GO

/* Key rotation (scaleout catalog key rotate) is a DBA's: the values under old keys, one at a time. */
GRANT EXECUTE ON internal.protected_values TO ssis_admin;
GRANT EXECUTE ON internal.replace_protected_value TO ssis_admin;
GO
