SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.normalize_thumbprint
    A certificate thumbprint as the catalog stores it: upper-case hexadecimal without colons or
    spaces, 40 digits (SHA-1, as Windows shows) or 64 (SHA-256). NULL when the text is not one.
*/
CREATE OR ALTER FUNCTION internal.normalize_thumbprint (
    @thumbprint nvarchar(4000)
)
RETURNS varchar(128)
WITH SCHEMABINDING
AS
BEGIN
    DECLARE @t nvarchar(256) = UPPER(REPLACE(REPLACE(REPLACE(@thumbprint, N':', N''), N' ', N''), N'-', N''));

    IF @t IS NULL OR LEN(@t) NOT IN (40, 64) OR @t COLLATE Latin1_General_BIN2 LIKE N'%[^0-9A-F]%'
        RETURN NULL;

    RETURN CAST(@t AS varchar(128));
END;
GO
