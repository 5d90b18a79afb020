SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.raise_error
    Raises catalog error @number with its formatted text and "Nothing was changed.".
    Callers: catalog and internal procedures. Inside a caller's TRY block, its CATCH rolls back and
    re-throws the same number and text.
*/
CREATE OR ALTER PROCEDURE internal.raise_error
    @number int = NULL,
    @a1 nvarchar(max) = NULL,
    @a2 nvarchar(max) = NULL,
    @a3 nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    DECLARE @message nvarchar(2048) = LEFT(internal.error_text(@number, @a1, @a2, @a3), 2020) + N' Nothing was changed.';
    THROW @number, @message, 1;
END;
GO
