SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.length_problem
    Parameter checks' length rule: the text of error 51001 (followed by a space) when @value is
    longer than @max_length characters, else ''. Procedures append it to the problems they collect,
    so a value too long for its column is refused with a number instead of Msg 2628. The checked
    parameter must be declared wider than @max_length (nvarchar(max) or nvarchar(4000)): SQL Server
    cuts an argument to its parameter's length before any check could see it.
    Callers: catalog and internal procedures, in their parameter checks.
*/
CREATE OR ALTER FUNCTION internal.length_problem (
    @parameter_name nvarchar(4000),
    @value nvarchar(max),
    @max_length int
)
RETURNS nvarchar(max)
AS
BEGIN
    RETURN CASE
        WHEN LEN(@value + N'.') - 1 > @max_length
            THEN internal.error_text(
                51001,
                @parameter_name,
                @value,
                N'at most ' + CAST(@max_length AS nvarchar(20)) + N' characters'
            ) + N' '
        ELSE N''
    END;
END;
GO
