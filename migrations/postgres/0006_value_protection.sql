-- 0006_value_protection
-- Sensitive parameter values and the log database's connection string are stored encrypted:
-- pgcrypto's pgp_pub_encrypt with the catalog's current protection key, an OpenPGP public key.
-- The private key never enters the catalog: the masters read it from their key folder (see
-- src/catalog/protection.ts and docs/security.md). A stored value reads
-- 'enc:<key id>:<base64 OpenPGP message>'. Values stored in clear before this step are encrypted
-- the first time a key is set (catalog.set_protection_key re-encrypts nothing: the key rotation
-- command does, through internal.protected_values and internal.replace_protected_value).
-- Released steps are never edited: fix forward with a new step.

-- pgcrypto is a trusted extension (PostgreSQL 13+): the database owner may create it. Its
-- functions go into the internal schema, where the catalog's routines look for them.
DO $$
DECLARE
    v_schema text;
BEGIN
    SELECT n.nspname INTO v_schema
      FROM pg_catalog.pg_extension AS e
      JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
     WHERE e.extname = 'pgcrypto';
    IF v_schema IS NULL THEN
        CREATE EXTENSION pgcrypto WITH SCHEMA internal;
    ELSIF v_schema <> 'internal' THEN
        RAISE EXCEPTION 'pgcrypto is installed in schema %, and the catalog needs its functions in schema internal', v_schema
              USING HINT = 'Run ALTER EXTENSION pgcrypto SET SCHEMA internal (other users then call internal.gen_random_bytes and so on), or install the catalog in a database of its own.';
    END IF;
END;
$$;

INSERT INTO internal.error_messages (number, symbol, message_template)
VALUES (51404, 'protection_key_missing', 'The catalog has no protection key to encrypt {1} with. Run scaleout migrate up or scaleout catalog key create, which give it one.');

CREATE TABLE internal.protection_keys (
    key_id       varchar(16)  NOT NULL,
    public_key   text         NULL,
    is_current   boolean      NOT NULL DEFAULT false,
    created_time timestamptz  NOT NULL DEFAULT now(),
    created_by   varchar(128) NOT NULL DEFAULT session_user,
    CONSTRAINT pk_protection_keys PRIMARY KEY (key_id),
    CONSTRAINT ck_protection_keys_key_id CHECK (key_id ~ '^[0-9a-f]{16}$')
);
CREATE UNIQUE INDEX ux_protection_keys_current ON internal.protection_keys (is_current) WHERE is_current;
