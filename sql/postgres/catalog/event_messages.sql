-- catalog.event_messages
-- The messages of executions, with the package and event they came from (event_name from the
-- message type when the package did not name one: OnError, OnWarning, OnInformation, ...).
-- Rows: what the caller may read (internal.may; all for ssis_admin, ssis_logreader and the
-- master). Readers: ssis_admin, ssis_logreader.
CREATE OR REPLACE VIEW catalog.event_messages AS
SELECT m.operation_message_id                       AS event_message_id,
       m.operation_id,
       m.message_time,
       m.message_type,
       m.message_source_type,
       m.message,
       m.extended_info_id,
       COALESCE(m.package_name, e.package_name)     AS package_name,
       COALESCE(m.event_name,
                CASE m.message_type
                    WHEN 10 THEN 'OnPreValidate'
                    WHEN 20 THEN 'OnPostValidate'
                    WHEN 30 THEN 'OnPreExecute'
                    WHEN 40 THEN 'OnPostExecute'
                    WHEN 60 THEN 'OnProgress'
                    WHEN 70 THEN 'OnInformation'
                    WHEN 90 THEN 'OnDiagnostic'
                    WHEN 110 THEN 'OnWarning'
                    WHEN 120 THEN 'OnError'
                    WHEN 130 THEN 'OnTaskFailed'
                    WHEN 400 THEN 'OnCustomEvent'
                END)                                 AS event_name,
       COALESCE(m.message_source_name, e.package_name) AS message_source_name,
       NULL::varchar(38)                             AS message_source_id,
       NULL::varchar(4000)                           AS subcomponent_name,
       NULL::text                                    AS package_path,
       m.execution_path,
       NULL::integer                                 AS "threadID",
       m.message_code,
       m.event_message_guid
  FROM internal.operation_messages AS m
  JOIN internal.executions AS e
    ON e.execution_id = m.operation_id
WHERE (SELECT internal.sees_all_objects()) OR internal.may(4, m.operation_id, 1);
