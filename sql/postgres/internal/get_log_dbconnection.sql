-- internal.get_log_dbconnection
-- The logging server and connection string set by catalog.update_logdb_info, which the master
-- hands to enabled workers. NULL when none was set (workers then send logs through the master).
-- Caller: the master only (scaleout_master); no view shows the connection string.
CREATE OR REPLACE PROCEDURE internal.get_log_dbconnection(
    INOUT server_name text DEFAULT NULL,
    INOUT connection_string text DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
BEGIN
    server_name := NULL;
    connection_string := NULL;

    SELECT lc.server_name, lc.connection_string
      INTO server_name, connection_string
      FROM internal.logdb_connection AS lc
     WHERE lc.id = 1;
END;
$$;
