-- internal.protected_values
-- Up to BatchSize stored values encrypted with a protection key that is no longer current: what
-- the key rotation command re-encrypts. kind says where the value is (execution_parameter,
-- design_default, default, environment_variable, logdb) and row_id which row; stored_value is the value as stored.
-- clear_value is NULL here: only the masters' key folder can decrypt (the SQL Server dialect
-- decrypts itself and fills it).
-- Caller: DBA (ssis_admin), through scaleout catalog key rotate. Errors: 51000, 51001.
CREATE OR REPLACE FUNCTION internal.protected_values(
    BatchSize integer DEFAULT NULL
)
RETURNS TABLE (kind varchar(32), row_id bigint, stored_value text, clear_value text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_current varchar(16);
    v_batch integer := BatchSize;
BEGIN
    -- Check input parameters
    IF v_batch IS NULL THEN
        PERFORM internal.raise_error(51000, '@BatchSize');
    ELSIF v_batch NOT BETWEEN 1 AND 10000 THEN
        PERFORM internal.raise_error(51001, '@BatchSize', v_batch::text, 'from 1 to 10000');
    END IF;

    SELECT pk.key_id INTO v_current FROM internal.protection_keys AS pk WHERE pk.is_current;
    RETURN QUERY
    SELECT x.kind, x.row_id, x.stored_value, NULL::text
      FROM (SELECT 'execution_parameter'::varchar(32) AS kind, pv.execution_parameter_id AS row_id, pv.parameter_value AS stored_value
              FROM internal.execution_parameter_values AS pv
             WHERE pv.sensitive AND pv.parameter_value LIKE 'enc:%'
            UNION ALL
            SELECT 'design_default', op.parameter_id, op.design_default_value
              FROM internal.object_parameters AS op
             WHERE op.sensitive AND op.design_default_value LIKE 'enc:%'
            UNION ALL
            SELECT 'default', op.parameter_id, op.default_value
              FROM internal.object_parameters AS op
             WHERE op.sensitive AND op.default_value LIKE 'enc:%'
            UNION ALL
            SELECT 'environment_variable', ev.variable_id, ev.value
              FROM internal.environment_variables AS ev
             WHERE ev.sensitive AND ev.value LIKE 'enc:%'
            UNION ALL
            SELECT 'logdb', lc.id::bigint, lc.connection_string
              FROM internal.logdb_connection AS lc
             WHERE lc.connection_string LIKE 'enc:%') AS x
     WHERE substring(x.stored_value FROM 5 FOR 16) IS DISTINCT FROM v_current
     LIMIT v_batch;
END;
$$;
