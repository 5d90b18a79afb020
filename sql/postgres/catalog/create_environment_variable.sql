-- catalog.create_environment_variable
-- Adds a variable to an environment: a name unique in the environment (without regard to case),
-- an SSIS data type (Boolean, Byte, DateTime, Decimal, Double, Int16, Int32, Int64, SByte,
-- Single, String, UInt32, UInt64), whether it is sensitive, and a value that fits the type (NULL
-- allowed). A sensitive value is stored encrypted (internal.protect_value), at most 3900
-- characters, and never shown; a refused one is not repeated in the message.
-- sensitive takes 1/0 or true/false (anyelement: a kind of its own, so that value may be of
-- another); value is SSIS's sql_variant (anycompatible, stored as text).
-- Caller: ssis_admin, or ssis_cluster_executor holding the permission checked (51405 without it).
-- Returns nothing.
-- Errors: 51000, 51001 (name, type, value, description), 51103 no such folder, 51110 no such
-- environment, 51215 the variable exists, 51404 no protection key for a sensitive value.
CREATE OR REPLACE PROCEDURE catalog.create_environment_variable(
    folder_name varchar(128) DEFAULT NULL,
    environment_name varchar(128) DEFAULT NULL,
    variable_name varchar(128) DEFAULT NULL,
    data_type varchar(128) DEFAULT NULL,
    sensitive anyelement DEFAULT NULL,
    value anycompatible DEFAULT NULL,
    description varchar(1024) DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    error_number integer;
    error_message text := '';
    v_sensitive boolean := internal.bit_value(sensitive::text);
    v_value text := value::text;
    v_type text;
    v_folder_id bigint;
    v_environment_id bigint;
    v_variable_id bigint;
BEGIN
    -- SSIS's type names, in SSIS's spelling whatever the caller's letter case.
    SELECT t.name INTO v_type
      FROM unnest(ARRAY['Boolean', 'Byte', 'DateTime', 'Decimal', 'Double', 'Int16', 'Int32', 'Int64', 'SByte',
                        'Single', 'String', 'UInt32', 'UInt64']) AS t (name)
     WHERE lower(t.name) = lower(btrim(data_type));

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
    ELSIF NOT internal.is_valid_object_name(variable_name) THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@variable_name', variable_name,
            '1 to 128 characters, no leading or trailing space, none of " < > | / \ : * ? or control characters, not starting with @') || ' ';
    END IF;
    IF data_type IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@data_type') || ' ';
    ELSIF v_type IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@data_type', data_type,
            'Boolean, Byte, DateTime, Decimal, Double, Int16, Int32, Int64, SByte, Single, String, UInt32 or UInt64') || ' ';
    END IF;
    IF sensitive IS NULL THEN
        error_number := COALESCE(error_number, 51000);
        error_message := error_message || internal.error_text(51000, '@sensitive') || ' ';
    ELSIF v_sensitive IS NULL THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@sensitive', sensitive::text, '1 or 0 (true or false)') || ' ';
    END IF;
    IF v_type = 'Boolean' AND v_value IS NOT NULL THEN
        v_value := CASE lower(btrim(v_value)) WHEN 'true' THEN '1' WHEN 'false' THEN '0' ELSE btrim(v_value) END;
    END IF;
    IF v_type IS NOT NULL AND NOT internal.is_valid_parameter_value(v_type, v_value) THEN
        -- A refused sensitive value is not repeated in the message.
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@value',
            CASE WHEN v_sensitive IS NOT FALSE THEN '********' ELSE v_value END, 'a value of type ' || v_type) || ' ';
    ELSIF v_sensitive AND length(v_value) > 3900 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@value', '********', 'a sensitive value of at most 3900 characters') || ' ';
    ELSIF v_sensitive IS NOT TRUE AND length(v_value) > 4000 THEN
        error_number := COALESCE(error_number, 51001);
        error_message := error_message || internal.error_text(51001, '@value', left(v_value, 40) || '…', 'a value of at most 4000 characters') || ' ';
    END IF;
    -- Lengths the tables store
    error_message := error_message
        || internal.length_problem('@description', description, 1024);
    IF error_number IS NULL AND error_message <> '' THEN
        error_number := 51001;
    END IF;
    IF error_number IS NOT NULL THEN
        PERFORM internal.raise_error_text(error_number, error_message);
    END IF;

    SELECT f.folder_id, f.name INTO v_folder_id, folder_name FROM internal.folders AS f WHERE lower(f.name) = lower(folder_name);
    IF v_folder_id IS NULL THEN
        PERFORM internal.raise_error(51103, folder_name);
    END IF;
    -- The environment is locked so that it cannot be deleted or moved under the new variable.
    SELECT en.environment_id, en.name INTO v_environment_id, environment_name
      FROM internal.environments AS en
     WHERE en.folder_id = v_folder_id AND lower(en.name) = lower(environment_name)
       FOR SHARE;
    IF v_environment_id IS NULL THEN
        PERFORM internal.raise_error(51110, environment_name, folder_name);
    END IF;
    PERFORM internal.require_permission(3, v_environment_id, 2, format('environment ''%s'' in folder ''%s''', environment_name, folder_name));
    IF v_sensitive AND v_value IS NOT NULL THEN
        CALL internal.open_protection_key('a sensitive value of @value');
        v_value := internal.protect_value(v_value);
        IF v_value IS NULL THEN
            PERFORM internal.raise_error(51404, 'a sensitive value of @value');
        END IF;
    END IF;

    -- Create; table: environment_variables
    INSERT INTO internal.environment_variables AS ev (environment_id, name, description, type, sensitive, value)
    VALUES (v_environment_id, variable_name, description, v_type, v_sensitive, v_value)
    ON CONFLICT (environment_id, (lower(name))) DO NOTHING
    RETURNING ev.variable_id INTO v_variable_id;
    IF v_variable_id IS NULL THEN
        PERFORM internal.raise_error(51215, environment_name, variable_name);
    END IF;
END;
$$;
