SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.get_project_version
    The bytes and manifest of a deployed project version, found by the SHA-256 of its bytes (what
    workers cache projects by). With @WorkerAgentId (the master passes the worker whose certificate
    it checked), only a version of a task that worker holds now: a worker downloads no project but
    those of its own tasks (51403).
    Caller: the master (scaleout_master). Result set: one row.
    Errors: 51000; 51001 not a SHA-256 in hexadecimal; 51109 no version has that hash (it was removed
    by version cleanup); 51403.
*/
CREATE OR ALTER PROCEDURE internal.get_project_version
    @ContentHash varchar(8000) = NULL,
    @WorkerAgentId uniqueidentifier = NULL
AS
BEGIN
    SET NOCOUNT ON;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    /* ---------------------------------------- Check input parameters (declared wider than a hash: SQL Server cuts longer arguments) */
    IF @ContentHash IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@ContentHash';
        RETURN 1;
    END;
    IF DATALENGTH(@ContentHash) <> 64 OR @ContentHash COLLATE Latin1_General_BIN2 LIKE '%[^0-9a-fA-F]%'
    BEGIN
        DECLARE @given nvarchar(100) = LEFT(@ContentHash, 100);
        EXEC internal.raise_error @number = 51001, @a1 = N'@ContentHash', @a2 = @given, @a3 = N'a SHA-256: 64 hexadecimal digits';
        RETURN 1;
    END;

    DECLARE @hash char(64) = LOWER(@ContentHash);

    IF NOT EXISTS (SELECT 1 FROM internal.object_versions AS v WHERE v.content_hash = @hash)
    BEGIN
        DECLARE @hash_text nvarchar(64) = @ContentHash;
        EXEC internal.raise_error @number = 51109, @a1 = @hash_text;
        RETURN 1;
    END;

    IF
        @WorkerAgentId IS NOT NULL
        AND NOT EXISTS (
            SELECT 1
            FROM internal.tasks AS t
            INNER JOIN internal.executions AS e
                ON e.execution_id = t.execution_id
            INNER JOIN internal.object_versions AS v
                ON v.object_version_lsn = e.project_lsn
            WHERE t.worker_agent_id = @WorkerAgentId AND t.status IN (2, 3) AND v.content_hash = @hash
        )
    BEGIN
        DECLARE @worker_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
        DECLARE @what nvarchar(200) = N'download project version ' + @hash + N': it holds no task of that version';
        EXEC internal.raise_error @number = 51403, @a1 = @worker_text, @a2 = @what;
        RETURN 1;
    END;

    SELECT TOP (1)
        v.object_version_lsn,
        v.object_name AS project_name,
        v.content_hash,
        v.manifest,
        v.project_stream
    FROM internal.object_versions AS v
    WHERE v.content_hash = @hash
    ORDER BY v.object_version_lsn DESC;

    RETURN 0;
END;
GO
