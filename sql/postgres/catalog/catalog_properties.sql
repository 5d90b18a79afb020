-- catalog.catalog_properties
-- The catalog's settings, one row per property (SSISDB's view of the same name), including
-- IS_SCALEOUT_ENABLED from the master properties.
-- Readers: ssis_admin. Columns: property_name, property_value.
CREATE OR REPLACE VIEW catalog.catalog_properties AS
SELECT cp.property_name,
       cp.property_value
  FROM internal.catalog_properties AS cp
UNION ALL
SELECT mp.property_name,
       mp.property_value::varchar(256) AS property_value
  FROM internal.master_properties AS mp
 WHERE mp.property_name = 'IS_SCALEOUT_ENABLED';
