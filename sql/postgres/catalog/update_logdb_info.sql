-- catalog.update_logdb_info
-- Sets the server that workers write execution logs to (CLUSTER_LOGDB_SERVER) and the connection
-- string they use (its login must be in ssis_cluster_worker). The connection string is kept out of
-- every view; only the master (scaleout_master) reads it back, to hand it to enabled workers.
-- Workers pick a change up when they next start.
-- Caller: DBA (ssis_admin).
-- Errors: 51000 an argument is NULL; 51001 an argument is empty or too long (the connection string:
-- at most 3900 characters); 51404 no protection key to encrypt it with.
CREATE OR REPLACE PROCEDURE catalog.update_logdb_info(
    server_name text DEFAULT NULL,
    connection_string text DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
BEGIN
    -- Check input parameters
    IF server_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@server_name') || ' ';
    ELSIF btrim(server_name) = '' THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@server_name', '', 'a server name') || ' ';
    END IF;
    IF connection_string IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@connection_string') || ' ';
    ELSIF btrim(connection_string) = '' THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@connection_string', '', 'a connection string') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@server_name', server_name, 256)
        || internal.length_problem('@connection_string', connection_string, 3900);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    -- Store; table order: master_properties, logdb_connection
    UPDATE internal.master_properties AS mp
       SET property_value = server_name
     WHERE mp.property_name = 'CLUSTER_LOGDB_SERVER';

    CALL internal.open_protection_key('@connection_string');
    INSERT INTO internal.logdb_connection AS lc (id, server_name, connection_string, updated_by)
    VALUES (1, server_name, internal.protect_value(connection_string), session_user)
    ON CONFLICT ON CONSTRAINT pk_logdb_connection DO UPDATE
       SET server_name = EXCLUDED.server_name,
           connection_string = EXCLUDED.connection_string,
           updated_time = pg_catalog.now(),
           updated_by = EXCLUDED.updated_by;
END;
$$;
