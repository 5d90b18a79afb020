SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.error_text
    The text of a catalog error: the template of internal.error_messages for @number with {1}, {2}
    and {3} replaced by the arguments (NULL shows as NULL).
    Callers: catalog and internal procedures, before THROW.
*/
CREATE OR ALTER FUNCTION internal.error_text (
    @number int,
    @a1 nvarchar(1000),
    @a2 nvarchar(1000),
    @a3 nvarchar(1000)
)
RETURNS nvarchar(2048)
AS
BEGIN
    DECLARE @template nvarchar(2048);

    SELECT @template = m.message_template
    FROM internal.error_messages AS m
    WHERE m.number = @number;

    RETURN REPLACE(
        REPLACE(
            REPLACE(COALESCE(@template, N'Catalog error {1} {2} {3}.'), N'{1}', COALESCE(@a1, N'NULL')),
            N'{2}',
            COALESCE(@a2, N'NULL')
        ),
        N'{3}',
        COALESCE(@a3, N'NULL')
    );
END;
GO
