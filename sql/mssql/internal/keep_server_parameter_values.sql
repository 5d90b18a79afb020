SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.keep_server_parameter_values
    At a deployment, before the project's current version moves to @new_lsn: the values set on the
    server for the current version's parameters (catalog.set_object_parameter_value, a literal or an
    environment variable) stay with the new version's parameters that keep their name, type and
    sensitivity, as SSIS keeps them.
    Caller: catalog.deploy_project, inside its transaction. Returns 0. Errors: 51000.
*/
CREATE OR ALTER PROCEDURE internal.keep_server_parameter_values
    @project_id bigint = NULL,
    @new_lsn bigint = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @project_id IS NULL OR @new_lsn IS NULL
    BEGIN
        DECLARE @missing nvarchar(20) = CASE WHEN @project_id IS NULL THEN N'@project_id' ELSE N'@new_lsn' END;
        EXEC internal.raise_error @number = 51000, @a1 = @missing;
        RETURN 1;
    END;

    /* ---------------------------------------- Table: object_parameters */
    UPDATE op
    SET
        op.default_value = prev.default_value,
        op.value_type = prev.value_type,
        op.referenced_variable_name = prev.referenced_variable_name,
        op.value_set = 1,
        op.server_value_set = 1
    FROM internal.object_parameters AS op
    INNER JOIN internal.projects AS p
        ON p.project_id = @project_id
    INNER JOIN internal.object_parameters AS prev
        ON
            prev.project_version_lsn = p.object_version_lsn
            AND prev.object_type = op.object_type
            AND prev.object_name = op.object_name
            AND prev.parameter_name = op.parameter_name
            AND prev.data_type = op.data_type
            AND prev.sensitive = op.sensitive
    WHERE op.project_version_lsn = @new_lsn AND prev.server_value_set = 1;

    RETURN 0;
END;
GO
