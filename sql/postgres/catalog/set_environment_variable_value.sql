-- catalog.set_environment_variable_value
-- Gives an environment variable a new value, which must fit its type (NULL allowed). A sensitive
-- variable's value is stored encrypted, at most 3900 characters; a refused one is not repeated in
-- the message. Executions take the value they find when they start.
-- value is SSIS's sql_variant (anycompatible on PostgreSQL, stored as text).
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51001 (value), 51103 no such folder, 51110 no such environment, 51111 no such
-- variable, 51404 no protection key for a sensitive value.
CREATE OR REPLACE PROCEDURE catalog.set_environment_variable_value(
    folder_name varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL,
    variable_name varchar(128) DEFAULT NULL,
    value anycompatible DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_value text := value::text;
    v_folder_id bigint;
    v_environment_id bigint;
    v_variable_id bigint;
    v_type text;
    v_sensitive boolean;
BEGIN
    -- Check input parameters
    IF folder_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@folder_name') || ' ';
    END IF;
    IF environment_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@environment_name') || ' ';
    END IF;
    IF variable_name IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@variable_name') || ' ';
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;
    SELECT en.environment_id, en.name INTO v_environment_id, environment_name
      FROM internal.environments AS en
     WHERE en.folder_id = v_folder_id AND lower(en.name) = lower(environment_name);
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51110, environment_name, folder_name);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 2, format('environment ''%s'' in folder ''%s''', environment_name, folder_name));

    -- Set; table: environment_variables
    SELECT ev.variable_id, ev.type, ev.sensitive INTO v_variable_id, v_type, v_sensitive
      FROM internal.environment_variables AS ev
     WHERE ev.environment_id = v_environment_id AND lower(ev.name) = lower(variable_name)
       FOR UPDATE;
    IF v_variable_id IS NULL THEN
        PERFORM internal.raise_error(51111, environment_name, variable_name);
    END IF;
    IF v_type = 'Boolean' AND v_value IS NOT NULL THEN
        v_value := CASE lower(btrim(v_value)) WHEN 'true' THEN '1' WHEN 'false' THEN '0' ELSE btrim(v_value) END;
    END IF;
    IF NOT internal.is_valid_parameter_value(v_type, v_value) THEN
        PERFORM internal.raise_error(51001, '@value', CASE WHEN v_sensitive THEN '********' ELSE v_value END, 'a value of type ' || v_type);
    END IF;
    IF v_sensitive AND length(v_value) > 3900 THEN
        PERFORM internal.raise_error(51001, '@value', '********', 'a sensitive value of at most 3900 characters');
    END IF;
    IF NOT v_sensitive AND length(v_value) > 4000 THEN
        PERFORM internal.raise_error(51001, '@value', left(v_value, 40) || '…', 'a value of at most 4000 characters');
    END IF;
    IF v_sensitive AND v_value IS NOT NULL THEN
        CALL internal.open_protection_key('a sensitive value of @value');
        v_value := internal.protect_value(v_value);
        IF v_value IS NULL THEN
            PERFORM internal.raise_error(51404, 'a sensitive value of @value');
        END IF;
    END IF;
    UPDATE internal.environment_variables AS ev SET value = v_value WHERE ev.variable_id = v_variable_id;
END;
$$;
