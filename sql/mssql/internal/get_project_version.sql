SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.get_project_version
    The bytes and manifest of a deployed project version, found by the SHA-256 of its bytes (what
    workers cache projects by).
    Caller: the master (scaleout_master). Result set: one row.
    Errors: 51000; 51109 no version has that hash (it was removed by version cleanup).
*/
CREATE OR ALTER PROCEDURE internal.get_project_version
    @ContentHash varchar(64) = NULL
AS
BEGIN
    SET NOCOUNT ON;

    IF @ContentHash IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@ContentHash';
        RETURN 1;
    END;

    DECLARE @hash char(64) = LOWER(@ContentHash);

    IF NOT EXISTS (SELECT 1 FROM internal.object_versions AS v WHERE v.content_hash = @hash)
    BEGIN
        DECLARE @hash_text nvarchar(64) = @ContentHash;
        EXEC internal.raise_error @number = 51109, @a1 = @hash_text;
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
