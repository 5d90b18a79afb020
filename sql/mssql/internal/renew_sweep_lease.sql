SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.renew_sweep_lease
    The holder extends its lease. Refused (51301) unless the caller still holds it at the epoch it
    was given — a master that lost the lease to another cannot renew it. A lease that expired but
    that nobody took over is renewed at the same epoch.
    Caller: the master (scaleout_master). Output: @ExpiresAt.
    Errors: 51000 a required argument is NULL; 51001 @LeaseMs out of range; 51301 lease lost.
*/
CREATE OR ALTER PROCEDURE internal.renew_sweep_lease
    @SweepName nvarchar(max) = NULL,
    @MasterId uniqueidentifier = NULL,
    @Epoch bigint = NULL,
    @LeaseMs int = NULL,
    @now datetimeoffset(7) = NULL,
    @ExpiresAt datetimeoffset(7) = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
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
    IF @LeaseMs IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@LeaseMs', NULL, NULL) + N' ';
    ELSE IF @LeaseMs NOT BETWEEN 1000 AND 86400000
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message
            + internal.error_text(
                51001, N'@LeaseMs', CONVERT(nvarchar(20), @LeaseMs), N'milliseconds from 1000 to 86400000'
            )
            + N' ';

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

    SET @now = internal.clock(@now);

    /* ---------------------------------------- Renew, fenced by holder and epoch; table: sweep_leases */
    UPDATE l
    SET
        l.expires_at = DATEADD(MILLISECOND, @LeaseMs, @now),
        l.renewed_time = @now
    FROM internal.sweep_leases AS l
    WHERE l.sweep_name = @SweepName AND l.holder_id = @MasterId AND l.epoch = @Epoch;

    IF @@ROWCOUNT = 0
    BEGIN
        DECLARE @master_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @MasterId));
        DECLARE @epoch_text nvarchar(20) = CONVERT(nvarchar(20), @Epoch);
        EXEC internal.raise_error @number = 51301, @a1 = @SweepName, @a2 = @master_text, @a3 = @epoch_text;
        RETURN 1;
    END;

    SET @ExpiresAt = DATEADD(MILLISECOND, @LeaseMs, @now);
    RETURN 0;
END;
GO
