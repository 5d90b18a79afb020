SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.release_sweep_lease
    The holder gives its lease up (a master stopping, or handing a sweep over). Releasing a lease the
    caller no longer holds changes nothing and sets @Released = 0.
    Caller: the master (scaleout_master).
    Errors: 51000 a required argument is NULL.
*/
CREATE OR ALTER PROCEDURE internal.release_sweep_lease
    @SweepName nvarchar(max) = NULL,
    @MasterId uniqueidentifier = NULL,
    @Epoch bigint = NULL,
    @Released bit = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @error_number int = NULL;
    DECLARE @error_message nvarchar(max) = N'';

    IF @SweepName IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@SweepName', NULL, NULL) + N' ';
    IF @MasterId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@MasterId', NULL, NULL) + N' ';
    IF @Epoch IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@Epoch', NULL, NULL) + N' ';

    /* Lengths the tables store (each parameter is declared wider, so that SQL Server does not cut it first) */
    SET @error_message = @error_message
        + internal.length_problem(N'@SweepName', @SweepName, 128);
    IF @error_number IS NULL AND @error_message <> N''
        SET @error_number = 51001;
    IF @error_number IS NOT NULL
    BEGIN
        EXEC internal.raise_error_text @number = @error_number, @message = @error_message;
        RETURN 1;
    END;

    UPDATE l
    SET
        l.holder_id = NULL,
        l.expires_at = NULL
    FROM internal.sweep_leases AS l
    WHERE l.sweep_name = @SweepName AND l.holder_id = @MasterId AND l.epoch = @Epoch;

    SET @Released = CASE WHEN @@ROWCOUNT > 0 THEN 1 ELSE 0 END;
    RETURN 0;
END;
GO
