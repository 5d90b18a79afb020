-- catalog.master_properties
-- The Scale Out master's properties (SSIS's names): MASTER_ADDRESS, MASTER_SERVICE_PORT,
-- SSLCERT_THUMBPRINT, MACHINE_NAME, MACHINE_IP, LAST_ONLINE_TIME, MASTER_HEARTBEAT_INTERVALINMS,
-- CLUSTER_LOGDB_SERVER, IS_SCALEOUT_ENABLED. The logging connection string is never shown.
-- Readers: everyone (public).
CREATE OR REPLACE VIEW catalog.master_properties AS
SELECT mp.property_name,
       mp.property_value
  FROM internal.master_properties AS mp;
