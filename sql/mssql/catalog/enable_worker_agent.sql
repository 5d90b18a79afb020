SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.enable_worker_agent
    Lets a worker agent take new tasks.
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
    Errors: 51000 @WorkerAgentId is NULL; 51001 the reserved "any worker" id; 51101 no such worker agent.
*/
CREATE OR ALTER PROCEDURE [catalog].enable_worker_agent
    @WorkerAgentId uniqueidentifier = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @WorkerAgentId IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@WorkerAgentId';
        RETURN 1;
    END;
    IF @WorkerAgentId = '11111111-1111-1111-1111-111111111111'
    BEGIN
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@WorkerAgentId',
            @a2 = N'11111111-1111-1111-1111-111111111111',
            @a3 = N'this id is reserved: it means any worker';
        RETURN 1;
    END;

    /* ---------------------------------------- Enable; table: worker_agents */
    UPDATE w
    SET w.is_enabled = 1
    FROM internal.worker_agents AS w
    WHERE w.worker_agent_id = @WorkerAgentId;

    IF @@ROWCOUNT = 0
    BEGIN
        DECLARE @id_text nvarchar(36) = LOWER(CONVERT(nvarchar(36), @WorkerAgentId));
        EXEC internal.raise_error @number = 51101, @a1 = @id_text;
        RETURN 1;
    END;

    RETURN 0;
END;
GO
