-- internal.replace_protected_value
-- Re-encrypts one stored value with the current protection key: Value is its clear text, and
-- the row changes only if it still holds Expected (a value set again meanwhile is already under
-- the current key). Replaced says whether it changed.
-- Caller: DBA (ssis_admin), through scaleout catalog key rotate.
-- Errors: 51000 a required argument is NULL; 51001 unknown Kind; 51404 (through
-- internal.open_protection_key) no current key.
CREATE OR REPLACE PROCEDURE internal.replace_protected_value(
    Kind varchar(32) DEFAULT NULL,
    RowId bigint DEFAULT NULL,
    Expected text DEFAULT NULL,
    Value text DEFAULT NULL,
    INOUT Replaced boolean DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_new text;
    v_count integer;
BEGIN
    -- Check input parameters
    IF Kind IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@Kind') || ' ';
    ELSIF Kind NOT IN ('execution_parameter', 'design_default', 'default', 'environment_variable', 'logdb') THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@Kind', Kind, 'execution_parameter, design_default, default, environment_variable or logdb') || ' ';
    END IF;
    IF RowId IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@RowId') || ' ';
    END IF;
    IF Expected IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@Expected') || ' ';
    END IF;
    IF Value IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@Value') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    CALL internal.open_protection_key('@Value');
    v_new := internal.protect_value(Value);
    IF Kind = 'execution_parameter' THEN
        UPDATE internal.execution_parameter_values AS pv SET parameter_value = v_new
         WHERE pv.execution_parameter_id = RowId AND pv.parameter_value = Expected;
    ELSIF Kind = 'design_default' THEN
        UPDATE internal.object_parameters AS op SET design_default_value = v_new
         WHERE op.parameter_id = RowId AND op.design_default_value = Expected;
    ELSIF Kind = 'default' THEN
        UPDATE internal.object_parameters AS op SET default_value = v_new
         WHERE op.parameter_id = RowId AND op.default_value = Expected;
    ELSIF Kind = 'environment_variable' THEN
        UPDATE internal.environment_variables AS ev SET value = v_new
         WHERE ev.variable_id = RowId AND ev.value = Expected;
    ELSE
        UPDATE internal.logdb_connection AS lc SET connection_string = v_new
         WHERE lc.id = RowId AND lc.connection_string = Expected;
    END IF;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    Replaced := v_count > 0;
END;
$$;
