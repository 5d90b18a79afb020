SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.error_text
    The text of a catalog error: the template of internal.error_messages for @number with {1}, {2}
    and {3} replaced by the arguments (NULL shows as NULL). An argument longer than 100 characters
    shows its first 100 and its length: a refused 1 MB value must not fill the message. Arguments
    the procedure writes itself are shown whole: what 51001 expects ({3}), the parameters 51209
    misses and what 51403 refused ({2}).
    Callers: catalog and internal procedures, before THROW.
*/
CREATE OR ALTER FUNCTION internal.error_text (
    @number int,
    @a1 nvarchar(max),
    @a2 nvarchar(max),
    @a3 nvarchar(max)
)
RETURNS nvarchar(2048)
AS
BEGIN
    DECLARE @template nvarchar(2048);
    DECLARE @s1 nvarchar(200) = CASE
        WHEN LEN(@a1) > 100 THEN LEFT(@a1, 100) + N'… (' + CAST(LEN(@a1) AS nvarchar(20)) + N' characters)'
        ELSE @a1
    END;
    DECLARE @s2 nvarchar(2048) = CASE
        WHEN LEN(@a2) > 100 AND @number NOT IN (51209, 51403) THEN LEFT(@a2, 100) + N'… (' + CAST(LEN(@a2) AS nvarchar(20)) + N' characters)'
        ELSE @a2
    END;
    DECLARE @s3 nvarchar(2048) = CASE
        WHEN LEN(@a3) > 100 AND @number <> 51001 THEN LEFT(@a3, 100) + N'… (' + CAST(LEN(@a3) AS nvarchar(20)) + N' characters)'
        ELSE @a3
    END;

    SELECT @template = m.message_template
    FROM internal.error_messages AS m
    WHERE m.number = @number;

    RETURN REPLACE(
        REPLACE(
            REPLACE(COALESCE(@template, N'Catalog error {1} {2} {3}.'), N'{1}', COALESCE(@s1, N'NULL')),
            N'{2}',
            COALESCE(@s2, N'NULL')
        ),
        N'{3}',
        COALESCE(@s3, N'NULL')
    );
END;
GO
