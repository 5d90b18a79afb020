SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.raise_error_text
    Raises catalog error @number with a text already assembled from several internal.error_text
    results (parameter checks collect every problem, then raise once with the first number).
*/
CREATE OR ALTER PROCEDURE internal.raise_error_text
    @number int = NULL,
    @message nvarchar(max) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    DECLARE @text nvarchar(2048) = LEFT(RTRIM(@message), 2020) + N' Nothing was changed.';
    THROW @number, @text, 1;
END;
GO
