-- internal.is_valid_lease_list
-- Whether a text is what the batch lease procedures take: a JSON array of at most 1000 objects,
-- each with a taskId and a leaseToken that are UUIDs.
CREATE OR REPLACE FUNCTION internal.is_valid_lease_list(Leases text)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE
SET search_path = catalog, internal, pg_temp
AS $$
DECLARE
    m jsonb;
BEGIN
    IF Leases IS NULL THEN
        RETURN false;
    END IF;
    m := Leases::jsonb;
    IF jsonb_typeof(m) <> 'array' OR jsonb_array_length(m) > 1000 THEN
        RETURN false;
    END IF;
    RETURN NOT EXISTS (SELECT 1
                         FROM jsonb_array_elements(m) AS x (v)
                        WHERE jsonb_typeof(x.v) <> 'object'
                           OR (x.v->>'taskId')::uuid IS NULL
                           OR (x.v->>'leaseToken')::uuid IS NULL);
EXCEPTION WHEN others THEN
    -- Not JSON, or a value that is not a UUID.
    RETURN false;
END;
$$;
