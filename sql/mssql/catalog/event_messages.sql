SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.event_messages
    The messages of executions, with the package and event they came from (event_name from the
    message type when the package did not name one: OnError, OnWarning, OnInformation, ...).
    Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
    master). Readers: ssis_admin, ssis_logreader.
*/
CREATE OR ALTER VIEW [catalog].event_messages
AS
SELECT
    m.operation_message_id AS event_message_id,
    m.operation_id,
    m.message_time,
    m.message_type,
    m.message_source_type,
    m.message,
    m.extended_info_id,
    COALESCE(m.package_name, e.package_name) AS package_name,
    COALESCE(
        m.event_name,
        CASE m.message_type
            WHEN 10 THEN N'OnPreValidate'
            WHEN 20 THEN N'OnPostValidate'
            WHEN 30 THEN N'OnPreExecute'
            WHEN 40 THEN N'OnPostExecute'
            WHEN 60 THEN N'OnProgress'
            WHEN 70 THEN N'OnInformation'
            WHEN 90 THEN N'OnDiagnostic'
            WHEN 110 THEN N'OnWarning'
            WHEN 120 THEN N'OnError'
            WHEN 130 THEN N'OnTaskFailed'
            WHEN 400 THEN N'OnCustomEvent'
        END
    ) AS event_name,
    COALESCE(m.message_source_name, e.package_name) AS message_source_name,
    CAST(NULL AS nvarchar(38)) AS message_source_id,
    CAST(NULL AS nvarchar(4000)) AS subcomponent_name,
    CAST(NULL AS nvarchar(max)) AS package_path,
    m.execution_path,
    CAST(NULL AS int) AS threadID,
    m.message_code,
    m.event_message_guid
FROM internal.operation_messages AS m
INNER JOIN internal.executions AS e
    ON e.execution_id = m.operation_id
WHERE internal.sees_all_objects() = 1 OR internal.may(4, m.operation_id, 1) = 1;
GO
