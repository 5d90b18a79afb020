-- catalog.update_master_address
-- Sets MASTER_ADDRESS, the endpoint workers are given: an https URL with a host and a port, such as
-- https://scaleout-master:8391 (with several masters, the DNS name in front of them).
-- Caller: DBA (ssis_admin).
-- Errors: 51000 MasterAddress is NULL; 51001 not https://host:port.
CREATE OR REPLACE PROCEDURE catalog.update_master_address(
    MasterAddress varchar(256) DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    parts text[] := regexp_match(MasterAddress, '^[Hh][Tt][Tt][Pp][Ss]://([^/?#@ :]+|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})/?$');
BEGIN
    -- Check input parameters
    IF MasterAddress IS NULL THEN
        PERFORM internal.raise_error(51000, '@MasterAddress');
    END IF;
    IF parts IS NULL OR parts[2]::integer NOT BETWEEN 1 AND 65535 THEN
        PERFORM internal.raise_error(51001, '@MasterAddress', MasterAddress, 'an https URL with a host and a port, such as https://scaleout-master:8391');
    END IF;

    -- Set; table: master_properties
    UPDATE internal.master_properties AS mp
       SET property_value = MasterAddress
     WHERE mp.property_name = 'MASTER_ADDRESS';
END;
$$;
