SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.bit_value
    A value given for a bit, as SQL Server converts one: 1 for 'true' or any number but 0, 0 for
    'false' or 0 (letter case and surrounding spaces aside), NULL for NULL and anything else. Bit
    parameters convert by themselves on SQL Server; properties given as text (configure_catalog's
    TRUE/FALSE properties) are read through this function, as on PostgreSQL.
*/
CREATE OR ALTER FUNCTION internal.bit_value (
    @value nvarchar(4000)
)
RETURNS bit
WITH SCHEMABINDING
AS
BEGIN
    DECLARE @v nvarchar(4000) = LOWER(LTRIM(RTRIM(@value)));
    DECLARE @n decimal(38, 10) = TRY_CONVERT(decimal(38, 10), @v);

    RETURN CASE
        WHEN @n IS NOT NULL THEN CASE WHEN @n <> 0 THEN 1 ELSE 0 END
        WHEN @v = N'true' THEN 1
        WHEN @v = N'false' THEN 0
    END;
END;
GO
