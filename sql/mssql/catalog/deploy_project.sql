SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.deploy_project
    Deploys a project, or a new version of it: @project_stream is the packed project (zip) and
    @manifest the scaleout.project.json the CLI read from it (name, description, parameters,
    packages with their kind, entry point, timeout and parameters). Every deployment is kept as an
    object version with the SHA-256 of its bytes; when VERSION_CLEANUP_ENABLED is TRUE only the
    newest MAX_PROJECT_VERSIONS are kept (never one an unfinished execution uses). Values set
    on the server stay (internal.keep_server_parameter_values). Records a deploy_project operation
    (101).
    Caller: ssis_admin, or ssis_cluster_executor (internal.authorize_deployment). Output:
    @operation_id. Returns 0.
    Errors: 51000 a required argument is NULL; 51001 invalid project name, manifest or project stream (not a zip, over 256 MB); 51103 no such
    folder.
*/
CREATE OR ALTER PROCEDURE [catalog].deploy_project
    @folder_name nvarchar(4000) = NULL,
    @project_name nvarchar(4000) = NULL,
    @project_stream varbinary(max) = NULL,
    @operation_id bigint = NULL OUTPUT,
    @manifest nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';
    DECLARE @problem nvarchar(400) = NULL;
    DECLARE @manifest_name nvarchar(4000);
    DECLARE @packages_type int;

    SET @operation_id = NULL;

    IF @folder_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@folder_name', NULL, NULL) + N' ';
    IF @project_name IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@project_name', NULL, NULL) + N' ';
    ELSE IF internal.is_valid_object_name(@project_name) = 0
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@project_name',
                @project_name,
                N'1 to 128 characters, no leading or trailing space, none of " < > | or control characters, not starting with @'
            )
            + N' ';
    IF @project_stream IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@project_stream', NULL, NULL) + N' ';
    ELSE IF DATALENGTH(@project_stream) > 268435456
        OR CONVERT(varchar(8), SUBSTRING(@project_stream, 1, 4), 2) NOT IN ('504B0304', '504B0506')
        /* A zip starts with a local file header (PK 3 4), an empty one with its end record (PK 5 6). */
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001,
                N'@project_stream',
                N'<' + CAST(DATALENGTH(@project_stream) AS nvarchar(20)) + N' bytes>',
                N'a packed project: a zip archive of at most 268435456 bytes'
            )
            + N' ';
    IF @manifest IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@manifest', NULL, NULL) + N' ';
    ELSE
    BEGIN
        /* The first character that is not white space: the CLI sends the manifest's text as written. */
        IF ISJSON(@manifest) = 0 OR SUBSTRING(@manifest, PATINDEX(N'%[^ ' + NCHAR(9) + NCHAR(10) + NCHAR(13) + N']%', @manifest), 1) <> N'{'
            SET @problem = N'it is not a JSON object';
        ELSE
        BEGIN
            SET @manifest_name = JSON_VALUE(@manifest, N'$.name');
            SELECT @packages_type = j.[type]
            FROM OPENJSON(@manifest) AS j
            WHERE j.[key] = N'packages';

            IF @manifest_name IS NULL OR @project_name IS NULL OR @manifest_name COLLATE Latin1_General_BIN2 <> @project_name
                SET @problem = N'its name '
                    + COALESCE(N'"' + @manifest_name + N'"', N'is missing and')
                    + N' differs from @project_name';
            IF @problem IS NULL
            BEGIN
                IF @packages_type IS NULL OR @packages_type <> 4 OR NOT EXISTS (SELECT 1 FROM OPENJSON(@manifest, N'$.packages'))
                    SET @problem = N'it lists no packages';
            END;
            IF @problem IS NULL
            BEGIN
                IF
                    EXISTS (SELECT 1 FROM OPENJSON(@manifest) AS j WHERE j.[key] = N'parameters' AND j.[type] NOT IN (0, 4))
                    OR EXISTS (SELECT 1 FROM OPENJSON(@manifest, N'$.packages') AS pk WHERE pk.[type] <> 5)
                    SET @problem = N'packages and parameters must be arrays of JSON objects';
            END;
            IF @problem IS NULL
            BEGIN
                -- Only now is every package known to be an object that OPENJSON can read.
                IF
                    EXISTS (
                        SELECT 1
                        FROM OPENJSON(@manifest, N'$.packages') AS pk
                        CROSS APPLY OPENJSON(pk.value) AS f
                        WHERE f.[key] = N'parameters' AND f.[type] NOT IN (0, 4)
                    )
                    OR EXISTS (SELECT 1 FROM OPENJSON(@manifest, N'$.parameters') AS p WHERE p.[type] <> 5)
                    OR EXISTS (
                        SELECT 1
                        FROM OPENJSON(@manifest, N'$.packages') AS pk
                        CROSS APPLY OPENJSON(pk.value, N'$.parameters') AS pp
                        WHERE pp.[type] <> 5
                    )
                    SET @problem = N'packages and parameters must be arrays of JSON objects';
            END;
            IF @problem IS NULL
            BEGIN
                IF EXISTS (
                    SELECT 1
                    FROM OPENJSON(@manifest, N'$.packages') AS pk
                    /* DATALENGTH counts trailing spaces, which LEN ignores; JSON_VALUE is NULL past 4,000. */
                    WHERE DATALENGTH(COALESCE(JSON_VALUE(pk.value, N'$.name'), N'')) / 2 NOT BETWEEN 1 AND 260
                )
                    SET @problem = N'a package has no name or a name longer than 260 characters';
            END;
            IF @problem IS NULL
            BEGIN
                IF EXISTS (
                    SELECT 1
                    FROM OPENJSON(@manifest, N'$.packages') AS pk
                    WHERE COALESCE(JSON_VALUE(pk.value, N'$.kind'), N'') COLLATE Latin1_General_BIN2 NOT IN (N'node', N'command')
                )
                    SET @problem = N'a package kind is not node or command';
            END;
            IF @problem IS NULL
            BEGIN
                IF EXISTS (
                    SELECT 1
                    FROM OPENJSON(@manifest, N'$.packages') AS pk
                    GROUP BY JSON_VALUE(pk.value, N'$.name')
                    HAVING COUNT(*) > 1
                )
                    SET @problem = N'two packages have the same name (names are compared without regard to case)';
            END;
            IF @problem IS NULL
            BEGIN
                IF EXISTS (
                    SELECT 1
                    FROM OPENJSON(@manifest, N'$.packages') AS pk
                    CROSS APPLY OPENJSON(pk.value) AS f
                    WHERE f.[key] = N'entryPoint' AND f.[type] NOT IN (0, 3)
                )
                    SET @problem = N'a package entryPoint is not true or false';
            END;
            IF @problem IS NULL
            BEGIN
                IF EXISTS (
                    SELECT 1
                    FROM OPENJSON(@manifest, N'$.packages') AS pk
                    CROSS APPLY OPENJSON(pk.value) AS f
                    WHERE
                        f.[key] = N'timeoutSeconds'
                        AND f.[type] <> 0
                        AND NOT (
                            f.[type] = 2
                            AND f.value COLLATE Latin1_General_BIN2 NOT LIKE N'%[^0-9]%'
                            AND LEN(f.value) BETWEEN 1 AND 9
                            AND TRY_CONVERT(int, f.value) > 0
                        )
                )
                    SET @problem = N'a package timeoutSeconds is not a positive whole number';
            END;
            IF @problem IS NULL
            BEGIN
                IF EXISTS (
                    SELECT 1
                    FROM (
                        SELECT p.value
                        FROM OPENJSON(@manifest, N'$.parameters') AS p
                        UNION ALL
                        SELECT pp.value
                        FROM OPENJSON(@manifest, N'$.packages') AS pk
                        CROSS APPLY OPENJSON(pk.value, N'$.parameters') AS pp
                    ) AS a
                    WHERE
                        DATALENGTH(COALESCE(JSON_VALUE(a.value, N'$.name'), N'')) / 2 NOT BETWEEN 1 AND 128
                        OR COALESCE(JSON_VALUE(a.value, N'$.type'), N'') COLLATE Latin1_General_BIN2 NOT IN (
                            N'Boolean', N'Byte', N'DateTime', N'Decimal', N'Double', N'Int16', N'Int32', N'Int64', N'SByte',
                            N'Single', N'String', N'UInt32', N'UInt64'
                        )
                        OR EXISTS (
                            SELECT 1
                            FROM OPENJSON(a.value) AS f
                            WHERE f.[key] IN (N'required', N'sensitive') AND f.[type] NOT IN (0, 3)
                        )
                        OR internal.is_valid_parameter_value(
                            JSON_VALUE(a.value, N'$.type'),
                            (SELECT f.value FROM OPENJSON(a.value) AS f WHERE f.[key] = N'default' AND f.[type] <> 0)
                        ) = 0
                )
                    SET @problem = N'a parameter has no name, an unknown type, a required or sensitive flag that is not true or false, or a default that does not fit its type';
            END;
            IF @problem IS NULL
            BEGIN
                IF EXISTS (
                        SELECT 1
                        FROM OPENJSON(@manifest, N'$.parameters') AS p
                        GROUP BY JSON_VALUE(p.value, N'$.name')
                        HAVING COUNT(*) > 1
                    )
                    OR EXISTS (
                        SELECT 1
                        FROM OPENJSON(@manifest, N'$.packages') AS pk
                        CROSS APPLY OPENJSON(pk.value, N'$.parameters') AS pp
                        GROUP BY JSON_VALUE(pk.value, N'$.name'), JSON_VALUE(pp.value, N'$.name')
                        HAVING COUNT(*) > 1
                    )
                    SET @problem = N'two parameters of one object have the same name (names are compared without regard to case)';
            END;
        END;

        IF @problem IS NOT NULL
        BEGIN
            DECLARE @accepted nvarchar(600) = N'a scaleout.project.json manifest (' + @problem + N')';
            SELECT
                @error_number = COALESCE(@error_number, 51001),
                @error_message = @error_message
                + internal.error_text(51001, N'@manifest', LEFT(@manifest, 60), @accepted)
                + N' ';
        END;
    END;

    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    DECLARE @folder_id bigint = NULL;
    DECLARE @project_id bigint = NULL;
    DECLARE @is_new bit = 0;
    DECLARE @lsn bigint;
    DECLARE @now datetimeoffset(7) = SYSUTCDATETIME();
    DECLARE @caller nvarchar(128) = ORIGINAL_LOGIN();
    DECLARE @description nvarchar(1024) = LEFT((SELECT f.value FROM OPENJSON(@manifest) AS f WHERE f.[key] = N'description' AND f.[type] = 1), 1024);
    DECLARE @hash char(64) = LOWER(CONVERT(char(64), HASHBYTES('SHA2_256', @project_stream), 2));
    DECLARE @max_versions int;

    SELECT @folder_id = f.folder_id FROM internal.folders AS f WHERE f.name = @folder_name;
    IF @folder_id IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51103, @a1 = @folder_name;
        RETURN 1;
    END;

    /* A sensitive default is stored encrypted (internal.protect_value), like every sensitive value. */
    DECLARE @has_sensitive_default bit = CASE
        WHEN EXISTS (
            SELECT 1
            FROM (
                SELECT p.value FROM OPENJSON(@manifest, N'$.parameters') AS p
                UNION ALL
                SELECT pp.value
                FROM OPENJSON(@manifest, N'$.packages') AS pk
                CROSS APPLY OPENJSON(pk.value, N'$.parameters') AS pp
            ) AS a
            WHERE
                JSON_VALUE(a.value, N'$.sensitive') = N'true'
                AND EXISTS (SELECT 1 FROM OPENJSON(a.value) AS f WHERE f.[key] = N'default' AND f.[type] <> 0)
        ) THEN 1
        ELSE 0
    END;

    /* ---------------------------------------- Deploy; table order: projects, object_versions, packages,
       object_parameters, operations */
    BEGIN TRY
        IF @has_sensitive_default = 1
            EXEC internal.open_protection_key @what = N'a sensitive default of @manifest';
        BEGIN TRANSACTION;

        UPDATE p
        SET
            p.description = @description,
            p.deployed_by_name = @caller,
            p.last_deployed_time = @now,
            @project_id = p.project_id
        FROM internal.projects AS p WITH (UPDLOCK, HOLDLOCK)
        WHERE p.folder_id = @folder_id AND p.name = @project_name;

        IF @project_id IS NULL
        BEGIN
            INSERT INTO internal.projects (folder_id, name, description, deployed_by_name, last_deployed_time, created_time)
            VALUES (@folder_id, @project_name, @description, @caller, @now, @now);
            SELECT @project_id = SCOPE_IDENTITY(), @is_new = 1;
        END;
        EXEC internal.authorize_deployment @folder_id = @folder_id, @project_id = @project_id, @is_new = @is_new;

        INSERT INTO internal.object_versions (
            object_id, object_type, object_name, description, created_by, created_time, content_hash, project_stream, manifest
        )
        VALUES (@project_id, 20, @project_name, @description, @caller, @now, @hash, @project_stream, @manifest);
        SET @lsn = SCOPE_IDENTITY();

        INSERT INTO internal.packages (project_version_lsn, name, description, kind, entry_point, timeout_seconds)
        SELECT
            @lsn,
            JSON_VALUE(pk.value, N'$.name'),
            LEFT((SELECT f.value FROM OPENJSON(pk.value) AS f WHERE f.[key] = N'description' AND f.[type] = 1), 1024),
            JSON_VALUE(pk.value, N'$.kind'),
            CASE WHEN JSON_VALUE(pk.value, N'$.entryPoint') = N'false' THEN 0 ELSE 1 END,
            TRY_CONVERT(int, JSON_VALUE(pk.value, N'$.timeoutSeconds'))
        FROM OPENJSON(@manifest, N'$.packages') AS pk;

        INSERT INTO internal.object_parameters (
            project_version_lsn,
            object_type,
            object_name,
            parameter_name,
            data_type,
            required,
            sensitive,
            description,
            design_default_value,
            default_value,
            value_set
        )
        SELECT
            @lsn,
            a.object_type,
            a.object_name,
            JSON_VALUE(a.value, N'$.name'),
            JSON_VALUE(a.value, N'$.type'),
            CASE WHEN JSON_VALUE(a.value, N'$.required') = N'true' THEN 1 ELSE 0 END,
            CASE WHEN JSON_VALUE(a.value, N'$.sensitive') = N'true' THEN 1 ELSE 0 END,
            LEFT((SELECT f.value FROM OPENJSON(a.value) AS f WHERE f.[key] = N'description' AND f.[type] = 1), 1024),
            CASE
                WHEN JSON_VALUE(a.value, N'$.sensitive') = N'true' THEN internal.protect_value(d.default_value)
                ELSE d.default_value
            END,
            CASE
                WHEN JSON_VALUE(a.value, N'$.sensitive') = N'true' THEN internal.protect_value(d.default_value)
                ELSE d.default_value
            END,
            CASE WHEN d.default_value IS NULL THEN 0 ELSE 1 END
        FROM (
            SELECT
                CAST(20 AS smallint) AS object_type,
                CAST(@project_name AS nvarchar(260)) AS object_name,
                p.value
            FROM OPENJSON(@manifest, N'$.parameters') AS p
            UNION ALL
            SELECT
                CAST(30 AS smallint),
                CAST(JSON_VALUE(pk.value, N'$.name') AS nvarchar(260)),
                pp.value
            FROM OPENJSON(@manifest, N'$.packages') AS pk
            CROSS APPLY OPENJSON(pk.value, N'$.parameters') AS pp
        ) AS a
        /* OPENJSON's value reads a default past 4,000 characters, where JSON_VALUE returns NULL. */
        OUTER APPLY (
            SELECT f.value AS default_value
            FROM OPENJSON(a.value) AS f
            WHERE f.[key] = N'default' AND f.[type] <> 0
        ) AS d;

        EXEC internal.keep_server_parameter_values @project_id = @project_id, @new_lsn = @lsn;

        UPDATE p
        SET p.object_version_lsn = @lsn
        FROM internal.projects AS p
        WHERE p.project_id = @project_id;

        -- Keep the newest MAX_PROJECT_VERSIONS versions, and every version an unfinished execution uses.
        IF EXISTS (
            SELECT 1
            FROM internal.catalog_properties AS cp
            WHERE cp.property_name = N'VERSION_CLEANUP_ENABLED' AND UPPER(cp.property_value) = N'TRUE'
        )
        BEGIN
            SELECT @max_versions = TRY_CONVERT(int, cp.property_value)
            FROM internal.catalog_properties AS cp
            WHERE cp.property_name = N'MAX_PROJECT_VERSIONS';
            SET @max_versions = COALESCE(@max_versions, 10);

            DELETE v
            FROM internal.object_versions AS v
            INNER JOIN (
                SELECT
                    v2.object_version_lsn,
                    ROW_NUMBER() OVER (ORDER BY v2.object_version_lsn DESC) AS rn
                FROM internal.object_versions AS v2
                WHERE v2.object_id = @project_id
            ) AS x
                ON x.object_version_lsn = v.object_version_lsn
            WHERE
                x.rn > @max_versions
                AND NOT EXISTS (
                    SELECT 1
                    FROM internal.executions AS e
                    INNER JOIN internal.operations AS o
                        ON o.operation_id = e.execution_id
                    WHERE e.project_lsn = v.object_version_lsn AND o.status IN (1, 2, 5, 8)
                );
        END;

        INSERT INTO internal.operations (
            operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time, caller_name,
            server_name, machine_name
        )
        VALUES (101, @now, 20, @project_id, @project_name, 7, @now, @now, @caller, @@SERVERNAME, N'');
        SET @operation_id = SCOPE_IDENTITY();

        COMMIT TRANSACTION;
        IF @has_sensitive_default = 1 EXEC internal.close_protection_key;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        IF @has_sensitive_default = 1 EXEC internal.close_protection_key;
        SET @operation_id = NULL;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
