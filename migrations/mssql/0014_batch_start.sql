SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0014_batch_start
-- The table type catalog.start_executions takes: one row per execution to create and start, with
-- the parameters of catalog.create_execution as columns (lengths as the tables store them, so an
-- INSERT of a longer name fails there, before anything runs), numbered by request_number — the
-- order of the executions' ids in the answer, and the number an error names.
-- Released steps are never edited: fix forward with a new step.

CREATE TYPE [catalog].execution_requests AS TABLE (
    request_number int NOT NULL PRIMARY KEY,
    folder_name nvarchar(128) NULL,
    project_name nvarchar(128) NULL,
    package_name nvarchar(260) NULL,
    reference_id bigint NULL,
    use32bitruntime bit NULL,
    useanyworker bit NULL,
    priority int NULL,
    required_tags nvarchar(4000) NULL,
    timeout_seconds int NULL
);
GO
