SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.acquire_sweep_lease
    Asks for the lease on one sweep. The caller gets it when nobody holds it, when the holder's lease
    has expired, or when it holds it already (then it is renewed). The epoch increases whenever the
    holder changes: it fences a stale holder out (internal.renew_sweep_lease refuses it).
    Two masters asking at the same instant: exactly one gets it.
    Caller: the master (scaleout_master). Outputs: @Acquired, and the lease as it now stands
    (@Epoch, @ExpiresAt, @HolderId).
    Errors: 51000 a required argument is NULL; 51001 @SweepName blank or @LeaseMs out of range.
*/
CREATE OR ALTER PROCEDURE internal.acquire_sweep_lease
    @SweepName nvarchar(max) = NULL,
    @MasterId uniqueidentifier = NULL,
    @LeaseMs int = NULL,
    @now datetimeoffset(7) = NULL,
    @Acquired bit = NULL OUTPUT,
    @Epoch bigint = NULL OUTPUT,
    @ExpiresAt datetimeoffset(7) = NULL OUTPUT,
    @HolderId uniqueidentifier = NULL OUTPUT
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
    ELSE IF LTRIM(RTRIM(@SweepName)) = N''
        SELECT
            @error_number = COALESCE(@error_number, 51001),
            @error_message = @error_message + internal.error_text(51001, N'@SweepName', @SweepName, N'a sweep name') + N' ';
    IF @MasterId IS NULL
        SELECT
            @error_number = COALESCE(@error_number, 51000),
            @error_message = @error_message + internal.error_text(51000, N'@MasterId', NULL, NULL) + N' ';
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

    /* ---------------------------------------- Acquire or renew; table: sweep_leases */
    BEGIN TRY
        BEGIN TRANSACTION;

        INSERT INTO internal.sweep_leases (sweep_name, epoch)
        SELECT
            @SweepName,
            0
        WHERE NOT EXISTS (
            SELECT 1
            FROM internal.sweep_leases AS l WITH (UPDLOCK, HOLDLOCK)
            WHERE l.sweep_name = @SweepName
        );

        UPDATE l
        SET
            l.epoch = CASE WHEN l.holder_id = @MasterId THEN l.epoch ELSE l.epoch + 1 END,
            l.acquired_time = CASE WHEN l.holder_id = @MasterId THEN l.acquired_time ELSE @now END,
            l.holder_id = @MasterId,
            l.expires_at = DATEADD(MILLISECOND, @LeaseMs, @now),
            l.renewed_time = @now
        FROM internal.sweep_leases AS l WITH (UPDLOCK, HOLDLOCK)
        WHERE
            l.sweep_name = @SweepName
            AND (l.holder_id IS NULL OR l.holder_id = @MasterId OR l.expires_at <= @now);

        SET @Acquired = CASE WHEN @@ROWCOUNT > 0 THEN 1 ELSE 0 END;

        SELECT
            @Epoch = l.epoch,
            @ExpiresAt = l.expires_at,
            @HolderId = l.holder_id
        FROM internal.sweep_leases AS l
        WHERE l.sweep_name = @SweepName;

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
