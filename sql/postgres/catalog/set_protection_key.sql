-- catalog.set_protection_key
-- Makes a protection key current: sensitive values stored from now on are encrypted with it.
-- PostgreSQL keeps only the public half (an OpenPGP public key, ASCII-armored, as
-- scaleout catalog key create writes it); the private half stays in the masters' key folder.
-- Values stored under an older key stay readable while its key file exists; the key rotation
-- command re-encrypts them (internal.protected_values, internal.replace_protected_value). The
-- first key also encrypts what was stored in clear before there was one.
-- Caller: DBA (ssis_admin), through scaleout migrate up and scaleout catalog key create/rotate.
-- Errors: 51001 NULL, or not an OpenPGP public key that can encrypt.
CREATE OR REPLACE PROCEDURE catalog.set_protection_key(
    PublicKey text DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = catalog, internal, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    v_key_id varchar(16);
    v_first boolean;
BEGIN
    -- Check input parameters
    IF PublicKey IS NULL OR length(PublicKey) > 100000 THEN
        -- (51001 for NULL too: on SQL Server NULL is the only value accepted, as the catalog makes its key.)
        PERFORM internal.raise_error(51001, '@PublicKey', PublicKey, 'an ASCII-armored OpenPGP public key');
    END IF;
    BEGIN
        -- A key that cannot encrypt is refused before it is recorded.
        PERFORM internal.pgp_pub_encrypt('test', internal.dearmor(PublicKey));
        v_key_id := lower(internal.pgp_key_id(internal.dearmor(PublicKey)));
    EXCEPTION WHEN others THEN
        v_key_id := NULL;
    END;
    IF v_key_id IS NULL OR v_key_id !~ '^[0-9a-f]{16}$' THEN
        PERFORM internal.raise_error(51001, '@PublicKey', PublicKey, 'an ASCII-armored OpenPGP public key with an RSA or Elgamal encryption key');
    END IF;

    -- Table order: protection_keys, then the tables that hold values
    LOCK TABLE internal.protection_keys IN EXCLUSIVE MODE;
    v_first := NOT EXISTS (SELECT 1 FROM internal.protection_keys);
    UPDATE internal.protection_keys AS pk SET is_current = false WHERE pk.is_current AND pk.key_id <> v_key_id;
    INSERT INTO internal.protection_keys AS pk (key_id, public_key, is_current)
    VALUES (v_key_id, PublicKey, true)
    ON CONFLICT ON CONSTRAINT pk_protection_keys DO UPDATE SET is_current = true;

    IF v_first THEN
        -- What a catalog stored before it had a key: bounded by what one catalog holds before
        -- its first master starts (a migrated catalog gets its key at once).
        UPDATE internal.execution_parameter_values AS pv
           SET parameter_value = internal.protect_value(pv.parameter_value)
         WHERE pv.sensitive AND pv.parameter_value IS NOT NULL;
        UPDATE internal.object_parameters AS op
           SET design_default_value = internal.protect_value(op.design_default_value),
               default_value = internal.protect_value(op.default_value)
         WHERE op.sensitive AND (op.design_default_value IS NOT NULL OR op.default_value IS NOT NULL);
        UPDATE internal.logdb_connection AS lc
           SET connection_string = internal.protect_value(lc.connection_string);
    END IF;
END;
$$;
