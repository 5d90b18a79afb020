SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.start_execution
    Queues a created execution for the workers (status 5, pending): one task that may be attempted
    @retry_count + 1 times (internal.start_execution_now). Refused when the project was deployed
    again since the execution was created, or when required parameters have no value.
    With the execution's SYNCHRONIZED parameter set (object type 50, as SQL Agent job steps set it),
    returns only once the execution has ended, as SSIS does, so that the next step reads its end
    status; not when called inside a transaction of the caller's, whose uncommitted start no worker
    could see.
    Caller: ssis_admin, ssis_cluster_executor. Returns 0.
    Errors: those of internal.start_execution_now: 51000, 51001 (@retry_count < 0), 51106, 51207
    (not created), 51208 (outdated), 51209 (required parameters), 51213 (Scale Out disabled).
*/
CREATE OR ALTER PROCEDURE [catalog].start_execution
    @execution_id bigint = NULL,
    @retry_count int = 0
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    DECLARE @synchronized bit = 0;
    DECLARE @status int;

    EXEC internal.start_execution_now
        @execution_id = @execution_id,
        @retry_count = @retry_count,
        @Synchronized = @synchronized OUTPUT;
    IF @synchronized = 0 OR @@TRANCOUNT > 0
        RETURN 0;

    /* SYNCHRONIZED: until the execution ends (canceled, failed, ended unexpectedly, succeeded, completed). */
    WHILE 1 = 1
    BEGIN
        SET @status = internal.execution_status(@execution_id);
        IF @status IS NULL OR @status IN (3, 4, 6, 7, 9)
            BREAK;
        WAITFOR DELAY '00:00:00.500';
    END;
    RETURN 0;
END;
GO
