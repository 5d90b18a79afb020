SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.is_valid_object_name
    SSIS's rules for folder and project names: 1 to 128 characters, no leading or trailing space,
    none of the characters a file name may not hold (" < > | / \ : * ? and the control characters
    1-31: a name becomes a path segment, \SSISDB\folder\project), and not starting with @.
*/
CREATE OR ALTER FUNCTION internal.is_valid_object_name (
    @name nvarchar(4000)
)
RETURNS bit
WITH SCHEMABINDING
AS
BEGIN
    IF
        @name IS NULL
        OR DATALENGTH(@name) = 0
        OR DATALENGTH(@name) / 2 > 128
        OR LEFT(@name, 1) IN (N' ', N'@')
        OR RIGHT(@name, 1) = N' '
        OR @name LIKE N'%["<>|/\:*?]%'
        OR PATINDEX(N'%[' + NCHAR(1) + N'-' + NCHAR(31) + N']%', @name COLLATE Latin1_General_BIN2) > 0
        RETURN 0;

    RETURN 1;
END;
GO
