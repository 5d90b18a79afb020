SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.is_valid_lease_list
    Whether a text is what the batch lease procedures take: a JSON array of at most 1000 objects,
    each with a taskId and a leaseToken that are UUIDs.
*/
CREATE OR ALTER FUNCTION internal.is_valid_lease_list (
    @Leases nvarchar(max)
)
RETURNS bit
WITH SCHEMABINDING
AS
BEGIN
    IF @Leases IS NULL OR ISJSON(@Leases) = 0
        RETURN 0;
    /* ISJSON accepts an object too: the one element of [ ... ] tells the type (4: array). */
    IF (SELECT j.[type] FROM OPENJSON(N'[' + @Leases + N']') AS j) <> 4
        RETURN 0;
    IF (SELECT COUNT(*) FROM OPENJSON(@Leases) AS j) > 1000
        RETURN 0;
    IF EXISTS (
        SELECT 1
        FROM OPENJSON(@Leases) AS j
        WHERE
            j.[type] <> 5
            OR TRY_CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.taskId')) IS NULL
            OR TRY_CONVERT(uniqueidentifier, JSON_VALUE(j.value, N'$.leaseToken')) IS NULL
    )
        RETURN 0;

    RETURN 1;
END;
GO
