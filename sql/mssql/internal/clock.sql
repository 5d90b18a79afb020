SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.clock
    The time a procedure works with: the server's clock, or the time its caller passed in @now when
    the caller owns the catalog (db_owner: the contract tests, which move time on). Anyone else's
    @now is ignored: the master's login could otherwise expire every lease by passing a time ahead,
    and the log writer backdate what it stores.
    Callers: every procedure that takes @now.
*/
CREATE OR ALTER FUNCTION internal.clock (
    @now datetimeoffset(7)
)
RETURNS datetimeoffset(7)
WITH SCHEMABINDING
AS
BEGIN
    RETURN CASE
        WHEN @now IS NOT NULL AND COALESCE(IS_MEMBER(N'db_owner'), 0) = 1 THEN @now
        ELSE CONVERT(datetimeoffset(7), SYSUTCDATETIME())
    END;
END;
GO
