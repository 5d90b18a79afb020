-- internal.protect_value
-- A sensitive value as the catalog stores it: encrypted with the current protection key (an
-- OpenPGP public key; the private key is kept outside the catalog, in the masters' key folder)
-- and written 'enc:<key id>:<base64>'. NULL stays NULL; NULL also when the catalog has no key,
-- which internal.open_protection_key refuses first (51404).
-- Callers: the procedures that store sensitive values, after internal.open_protection_key.
CREATE OR REPLACE FUNCTION internal.protect_value(
    value text
)
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT 'enc:' || pk.key_id || ':'
           || translate(encode(internal.pgp_pub_encrypt(value, internal.dearmor(pk.public_key)), 'base64'), E'\n', '')
      FROM internal.protection_keys AS pk
     WHERE pk.is_current AND value IS NOT NULL;
$$;
