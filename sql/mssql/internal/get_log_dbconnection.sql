SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.get_log_dbconnection
    The logging server and connection string set by catalog.update_logdb_info, which the master
    hands to enabled workers. NULL when none was set (workers then send logs through the master).
    The connection string is stored encrypted and decrypted here, for the master alone (the
    PostgreSQL dialect hands it over encrypted, for the master's key folder).
    Caller: the master only (scaleout_master); no view shows the connection string.
*/
CREATE OR ALTER PROCEDURE internal.get_log_dbconnection
    @server_name nvarchar(max) = NULL OUTPUT,
    @connection_string nvarchar(max) = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;

    SET @server_name = NULL;
    SET @connection_string = NULL;

    SELECT
        @server_name = lc.server_name,
        @connection_string = CASE
            WHEN lc.connection_string LIKE N'enc:%'
                THEN CONVERT(
                    nvarchar(4000),
                    DECRYPTBYKEYAUTOCERT(
                        CERT_ID(N'ScaleOut_ProtectionCertificate'),
                        NULL,
                        CONVERT(varbinary(8000), SUBSTRING(lc.connection_string, 22, 16000), 2)
                    )
                )
            ELSE lc.connection_string
        END
    FROM internal.logdb_connection AS lc
    WHERE lc.id = 1;

    RETURN 0;
END;
GO
