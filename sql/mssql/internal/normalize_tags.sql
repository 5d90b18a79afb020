SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.normalize_tags
    Tags as the catalog compares them: lower-case, trimmed, distinct, sorted, wrapped in commas
    (',gpu,linux,'), so that "every required tag is one of the worker's" is a substring test.
    NULL when there is no tag.
*/
CREATE OR ALTER FUNCTION internal.normalize_tags (
    @tags nvarchar(max)
)
RETURNS nvarchar(max)
WITH SCHEMABINDING
AS
BEGIN
    DECLARE @joined nvarchar(max);

    SELECT @joined = STRING_AGG(x.v, N',') WITHIN GROUP (ORDER BY x.v)
    FROM (
        SELECT DISTINCT LOWER(LTRIM(RTRIM(s.value))) AS v
        FROM STRING_SPLIT(@tags, N',') AS s
    ) AS x
    WHERE x.v <> N'';

    RETURN CASE WHEN @joined IS NULL THEN NULL ELSE N',' + @joined + N',' END;
END;
GO
