SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.start_executions
    Creates and starts many executions in one call and one transaction: what create_execution and
    start_execution do for one, for up to 10,000, with a few set-based statements instead of two
    calls each. @executions (catalog.execution_requests) holds one row per execution with the
    parameters of catalog.create_execution: folder_name, project_name, package_name (required),
    reference_id, use32bitruntime, useanyworker, priority, required_tags, timeout_seconds (NULL takes
    the default), numbered by request_number. Every execution runs in Scale Out (this procedure is
    Scale Out's own, so DEFAULT_EXECUTION_MODE does not apply) with @retry_count + 1 attempts, and
    takes its parameters' server defaults, or its environment's variables through reference_id; a
    package with a required parameter neither gives a value is refused (51209), since the values of
    a batch cannot be set between its creation and its start.
    All or nothing: the first row refused (by request_number) is named, and nothing is created.

        DECLARE @e [catalog].execution_requests;
        INSERT INTO @e (request_number, folder_name, project_name, package_name, priority)
        VALUES (1, N'Finance', N'etl', N'Load.dtsx', 0), (2, N'Finance', N'etl', N'Load.dtsx', 5);
        EXEC [catalog].start_executions @executions = @e;

    Caller: ssis_admin, ssis_cluster_executor (READ and EXECUTE on every project named).
    Result set: request_number, execution_id, one row per execution. Output: @execution_ids, the
    same ids as a JSON array in request_number order. Returns 0.
    Errors: 51000, 51001 (no rows or more than 10,000, a row's value, @retry_count), 51103, 51104,
    51105, 51112, 51205, 51209 (named by row), 51213, and those of internal.resolve_environment_values
    (51113, 51217, 51218, 51219, 51405).
*/
CREATE OR ALTER PROCEDURE [catalog].start_executions
    @executions [catalog].execution_requests READONLY,
    @retry_count int = 0,
    @execution_ids nvarchar(max) = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    SET @execution_ids = NULL;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';
    DECLARE @count int = (SELECT COUNT(*) FROM @executions);

    IF @count < 1 OR @count > 10000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@executions', CONVERT(nvarchar(20), @count) + N' rows', N'1 to 10,000 rows, one per execution'
            ) + N' ';
    IF @retry_count IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@retry_count', NULL, NULL) + N' ';
    ELSE IF @retry_count < 0 OR @retry_count > 1000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(51001, N'@retry_count', CONVERT(nvarchar(20), @retry_count), N'from 0 to 1000') + N' ';
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    /* Each row's values: the first row refused (by number), named with what it lacks. */
    DECLARE @bad_number int = NULL;
    DECLARE @bad_value nvarchar(4000) = NULL;
    DECLARE @bad_problem nvarchar(400) = NULL;
    SELECT TOP (1)
        @bad_number = r.request_number,
        @bad_value = CONCAT_WS(N', ', r.folder_name, r.project_name, r.package_name),
        @bad_problem = N'row ' + CONVERT(nvarchar(20), r.request_number) + N' ' + c.problem
    FROM @executions AS r
    CROSS APPLY (
        SELECT CASE
            WHEN r.folder_name IS NULL OR r.folder_name = N'' THEN N'needs folder_name, text of 1 to 128 characters'
            WHEN r.project_name IS NULL OR r.project_name = N'' THEN N'needs project_name, text of 1 to 128 characters'
            WHEN r.package_name IS NULL OR r.package_name = N'' THEN N'needs package_name, text of 1 to 260 characters'
            WHEN r.reference_id < 1 THEN N'reference_id must be a reference''s id or null'
            WHEN r.timeout_seconds < 1 THEN N'timeout_seconds must be a number of seconds greater than 0'
        END AS problem
    ) AS c
    WHERE c.problem IS NOT NULL
    ORDER BY r.request_number;
    IF @bad_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error @number = 51001, @a1 = N'@executions', @a2 = @bad_value, @a3 = @bad_problem;
        RETURN 1;
    END;

    IF NOT EXISTS (
        SELECT 1
        FROM internal.master_properties AS mp
        WHERE mp.property_name = N'IS_SCALEOUT_ENABLED' AND mp.property_value = N'TRUE'
    )
    BEGIN
        EXEC internal.raise_error @number = 51213;
        RETURN 1;
    END;

    /* The rows, their names as the catalog spells them (found without regard to case: its collation). */
    DECLARE @rows TABLE (
        n int NOT NULL PRIMARY KEY,
        execution_id bigint NULL,
        folder_id bigint NULL,
        folder_name nvarchar(128) NOT NULL,
        project_id bigint NULL,
        project_name nvarchar(128) NOT NULL,
        lsn bigint NULL,
        package_name nvarchar(260) NOT NULL,
        entry_point bit NULL,
        package_timeout int NULL,
        reference_id bigint NULL,
        reference_type char(1) NULL,
        reference_project_id bigint NULL,
        environment_folder nvarchar(128) NULL,
        environment_name nvarchar(128) NULL,
        use32bitruntime bit NOT NULL,
        useanyworker bit NOT NULL,
        priority int NOT NULL,
        required_tags nvarchar(max) NULL,
        timeout_seconds int NULL
    );
    INSERT INTO @rows (
        n, folder_id, folder_name, project_id, project_name, lsn, package_name, entry_point, package_timeout,
        reference_id, reference_type, reference_project_id, environment_folder, environment_name,
        use32bitruntime, useanyworker, priority, required_tags, timeout_seconds
    )
    SELECT
        r.request_number,
        f.folder_id,
        COALESCE(f.name, r.folder_name),
        p.project_id,
        COALESCE(p.name, r.project_name),
        p.object_version_lsn,
        COALESCE(pk.name, r.package_name),
        pk.entry_point,
        pk.timeout_seconds,
        r.reference_id,
        er.reference_type,
        er.project_id,
        COALESCE(er.environment_folder_name, f.name),
        er.environment_name,
        COALESCE(r.use32bitruntime, 0),
        COALESCE(r.useanyworker, 1),
        COALESCE(r.priority, 0),
        internal.normalize_tags(r.required_tags),
        r.timeout_seconds
    FROM @executions AS r
    LEFT JOIN internal.folders AS f
        ON f.name = r.folder_name
    LEFT JOIN internal.projects AS p
        ON p.folder_id = f.folder_id AND p.name = r.project_name
    LEFT JOIN internal.packages AS pk
        ON pk.project_version_lsn = p.object_version_lsn AND pk.name = r.package_name
    LEFT JOIN internal.environment_references AS er
        ON er.reference_id = r.reference_id;

    /* The first row whose folder, project, package or reference is wrong, in that order. */
    DECLARE @n int = NULL;
    DECLARE @folder_id bigint;
    DECLARE @folder_name nvarchar(128);
    DECLARE @project_id bigint;
    DECLARE @project_name nvarchar(128);
    DECLARE @package_name nvarchar(260);
    DECLARE @entry_point bit;
    DECLARE @reference_id bigint;
    DECLARE @permission_what nvarchar(4000);
    SELECT TOP (1)
        @n = s.n,
        @folder_id = s.folder_id,
        @folder_name = s.folder_name,
        @project_id = s.project_id,
        @project_name = s.project_name,
        @package_name = s.package_name,
        @entry_point = s.entry_point,
        @reference_id = s.reference_id
    FROM @rows AS s
    WHERE
        s.folder_id IS NULL
        OR s.project_id IS NULL
        OR s.entry_point IS NULL
        OR s.entry_point = 0
        OR (s.reference_id IS NOT NULL AND (s.reference_project_id IS NULL OR s.reference_project_id <> s.project_id))
    ORDER BY s.n;
    IF @n IS NOT NULL
    BEGIN
        IF @folder_id IS NULL
        BEGIN
            EXEC internal.raise_error @number = 51103, @a1 = @folder_name;
            RETURN 1;
        END;
        IF @project_id IS NULL
        BEGIN
            EXEC internal.raise_error @number = 51104, @a1 = @project_name, @a2 = @folder_name;
            RETURN 1;
        END;
        SET @permission_what = N'project ''' + @project_name + N''' in folder ''' + @folder_name + N'''';
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 1, @what = @permission_what;
        IF @entry_point IS NULL
        BEGIN
            EXEC internal.raise_error @number = 51105, @a1 = @package_name, @a2 = @project_name, @a3 = @folder_name;
            RETURN 1;
        END;
        IF @entry_point = 0
        BEGIN
            EXEC internal.raise_error @number = 51205, @a1 = @package_name;
            RETURN 1;
        END;
        DECLARE @reference_text nvarchar(20) = CONVERT(nvarchar(20), @reference_id);
        DECLARE @for_project nvarchar(400) = N' for project ''' + @project_name + N''' in folder ''' + @folder_name
            + N''' (row ' + CONVERT(nvarchar(20), @n) + N')';
        EXEC internal.raise_error @number = 51112, @a1 = @reference_text, @a2 = @for_project;
        RETURN 1;
    END;

    /* READ and EXECUTE on each project, in the order the rows name them. */
    DECLARE @projects TABLE (
        first_n int NOT NULL PRIMARY KEY,
        project_id bigint NOT NULL,
        what nvarchar(4000) NOT NULL
    );
    INSERT INTO @projects (first_n, project_id, what)
    SELECT
        MIN(s.n),
        s.project_id,
        N'project ''' + MIN(s.project_name) + N''' in folder ''' + MIN(s.folder_name) + N''''
    FROM @rows AS s
    GROUP BY s.project_id;
    SET @n = 0;
    WHILE 1 = 1
    BEGIN
        SELECT TOP (1)
            @n = pr.first_n,
            @project_id = pr.project_id,
            @permission_what = pr.what
        FROM @projects AS pr
        WHERE pr.first_n > @n
        ORDER BY pr.first_n;
        IF @@ROWCOUNT = 0
            BREAK;
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 1, @what = @permission_what;
        EXEC internal.require_permission @object_type = 2, @object_id = @project_id, @permission_type = 3, @what = @permission_what;
    END;

    DECLARE @logging_level nvarchar(256) = NULL;
    SELECT @logging_level = cp.property_value
    FROM internal.catalog_properties AS cp
    WHERE cp.property_name = N'SERVER_LOGGING_LEVEL';
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    DECLARE @now datetimeoffset(7) = SYSUTCDATETIME();
    DECLARE @ids TABLE (n int NOT NULL PRIMARY KEY, execution_id bigint NOT NULL);
    DECLARE @missing nvarchar(max) = NULL;
    DECLARE @execution_id bigint;

    /* ---------------------------------------- Create and queue; table order: operations, executions, execution_parameter_values, tasks */
    BEGIN TRY
        BEGIN TRANSACTION;

        /* MERGE, not INSERT: its OUTPUT may name the source's row number beside the new identity. */
        MERGE INTO internal.operations AS o
        USING (SELECT s.n, s.project_id, s.project_name FROM @rows AS s) AS src
            ON 1 = 0
        WHEN NOT MATCHED THEN
            INSERT (
                operation_type, created_time, object_type, object_id, object_name, status, start_time,
                caller_name, server_name, machine_name
            )
            VALUES (200, @now, 20, src.project_id, src.project_name, 5, @now, @caller, @@SERVERNAME, N'')
        OUTPUT src.n, inserted.operation_id INTO @ids (n, execution_id);

        UPDATE s
        SET s.execution_id = i.execution_id
        FROM @rows AS s
        INNER JOIN @ids AS i
            ON i.n = s.n;

        INSERT INTO internal.executions (
            execution_id,
            folder_name,
            project_name,
            package_name,
            reference_id,
            reference_type,
            environment_folder_name,
            environment_name,
            project_lsn,
            executed_as_name,
            use32bitruntime,
            run_in_scaleout,
            use_any_worker,
            priority,
            required_tags,
            timeout_seconds,
            default_logging_level
        )
        SELECT
            s.execution_id,
            s.folder_name,
            s.project_name,
            s.package_name,
            s.reference_id,
            s.reference_type,
            s.environment_folder,
            s.environment_name,
            s.lsn,
            @caller,
            s.use32bitruntime,
            1,
            s.useanyworker,
            s.priority,
            s.required_tags,
            COALESCE(s.timeout_seconds, s.package_timeout),
            COALESCE(@logging_level, N'1')
        FROM @rows AS s;

        INSERT INTO internal.execution_parameter_values (
            execution_id,
            object_type,
            parameter_data_type,
            parameter_name,
            parameter_value,
            sensitive,
            required,
            value_set,
            referenced_variable_name
        )
        SELECT
            s.execution_id,
            p.object_type,
            p.data_type,
            p.parameter_name,
            p.value,
            p.sensitive,
            p.required,
            CASE WHEN p.value IS NULL THEN 0 ELSE 1 END,
            p.referenced_variable_name
        FROM @rows AS s
        CROSS APPLY internal.new_execution_parameters(s.lsn, s.package_name) AS p;

        /* Referenced parameters take their environment's variables (one call per such execution). */
        SET @n = 0;
        WHILE 1 = 1
        BEGIN
            SELECT TOP (1)
                @n = s.n,
                @execution_id = s.execution_id
            FROM @rows AS s
            WHERE s.n > @n AND s.environment_name IS NOT NULL
            ORDER BY s.n;
            IF @@ROWCOUNT = 0
                BREAK;
            EXEC internal.resolve_environment_values @execution_id = @execution_id;
        END;

        SET @n = NULL;
        SELECT TOP (1)
            @n = s.n,
            @missing = STRING_AGG(CONVERT(nvarchar(max), pv.parameter_name), N', ')
            WITHIN GROUP (ORDER BY pv.object_type, pv.parameter_name)
        FROM @rows AS s
        INNER JOIN internal.execution_parameter_values AS pv
            ON pv.execution_id = s.execution_id
        WHERE pv.required = 1 AND pv.value_set = 0
        GROUP BY s.n
        ORDER BY s.n;
        IF @n IS NOT NULL
        BEGIN
            DECLARE @in_row nvarchar(30) = N'in row ' + CONVERT(nvarchar(20), @n);
            DECLARE @missing_text nvarchar(1000) = LEFT(@missing, 1000);
            EXEC internal.raise_error @number = 51209, @a1 = @in_row, @a2 = @missing_text;
        END;

        /* In row order: the queue takes tasks of one priority by task_seq, an identity. */
        INSERT INTO internal.tasks (
            task_id,
            execution_id,
            status,
            priority,
            max_executed_count,
            ready_at,
            use_any_worker,
            required_tags,
            created_time,
            last_updated_time
        )
        SELECT
            NEWID(),
            s.execution_id,
            1,
            s.priority,
            @retry_count + 1,
            @now,
            s.useanyworker,
            s.required_tags,
            @now,
            @now
        FROM @rows AS s
        ORDER BY s.n;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    SET @execution_ids = N'[' + (
        SELECT STRING_AGG(CONVERT(nvarchar(max), s.execution_id), N',') WITHIN GROUP (ORDER BY s.n)
        FROM @rows AS s
    ) + N']';
    SELECT
        s.n AS request_number,
        s.execution_id
    FROM @rows AS s
    ORDER BY s.n;
    RETURN 0;
END;
GO
