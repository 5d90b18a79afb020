SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.protect_value
    A sensitive value as the catalog stores it: encrypted with the current protection key (a
    symmetric key under the database master key, opened by internal.open_protection_key) and
    written 'enc:<key id>:<hexadecimal ciphertext>'. NULL stays NULL; NULL also when the key is not
    open, which internal.open_protection_key refuses first (51404). At most 3900 characters: what
    ENCRYPTBYKEY takes (8000 bytes with its header).
    Callers: the procedures that store sensitive values, between internal.open_protection_key and
    internal.close_protection_key.
*/
CREATE OR ALTER FUNCTION internal.protect_value (
    @value nvarchar(max)
)
RETURNS nvarchar(max)
AS
BEGIN
    DECLARE @key_id varchar(16);
    DECLARE @key_guid uniqueidentifier;
    DECLARE @cipher varbinary(8000);

    IF @value IS NULL RETURN NULL;
    SELECT
        @key_id = pk.key_id,
        @key_guid = pk.key_guid
    FROM internal.protection_keys AS pk
    WHERE pk.is_current = 1;
    SET @cipher = ENCRYPTBYKEY(@key_guid, CONVERT(nvarchar(4000), @value));
    IF @cipher IS NULL RETURN NULL;
    RETURN N'enc:' + CONVERT(nvarchar(16), @key_id) + N':' + CONVERT(nvarchar(max), CONVERT(varchar(max), @cipher, 2));
END;
GO
