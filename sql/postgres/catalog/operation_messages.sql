-- catalog.operation_messages
-- Every message of every operation, in order. message_type and message_source_type use SSIS's
-- codes (120 Error, 110 Warning, 70 Information, ...; source 10 the catalog, 20 the package host,
-- 30 the package). Rows: what the caller may
-- read (internal.may; all for ssis_admin, ssis_logreader and the master). Readers: ssis_admin, ssis_logreader.
CREATE OR REPLACE VIEW catalog.operation_messages AS
SELECT m.operation_message_id,
       m.operation_id,
       m.message_time,
       m.message_type,
       m.message_source_type,
       m.message,
       m.extended_info_id
  FROM internal.operation_messages AS m
WHERE (SELECT internal.sees_all_objects()) OR internal.may(4, m.operation_id, 1);
