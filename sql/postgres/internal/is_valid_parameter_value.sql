-- internal.is_valid_parameter_value
-- Whether a value, as text, fits an SSIS parameter data type: Boolean (0, 1, true, false), Byte,
-- SByte, Int16, Int32, Int64, UInt32, UInt64 (whole numbers in range), Single, Double, Decimal
-- (numbers), DateTime (ISO 8601) or String (anything). NULL is a valid (unset) value.
CREATE OR REPLACE FUNCTION internal.is_valid_parameter_value(data_type text, value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
SET search_path = catalog, internal, pg_temp
AS $$
    SELECT CASE
               WHEN value IS NULL THEN true
               WHEN data_type = 'String' THEN true
               WHEN data_type = 'Boolean' THEN lower(btrim(value)) IN ('0', '1', 'true', 'false')
               WHEN data_type IN ('Byte', 'SByte', 'Int16', 'Int32', 'Int64', 'UInt32', 'UInt64') THEN
                   btrim(value) ~ '^[-+]?[0-9]{1,20}$'
                   AND btrim(value)::numeric BETWEEN
                       CASE data_type WHEN 'Byte' THEN 0 WHEN 'SByte' THEN -128 WHEN 'Int16' THEN -32768
                                      WHEN 'Int32' THEN -2147483648 WHEN 'Int64' THEN -9223372036854775808
                                      ELSE 0 END
                       AND
                       CASE data_type WHEN 'Byte' THEN 255 WHEN 'SByte' THEN 127 WHEN 'Int16' THEN 32767
                                      WHEN 'Int32' THEN 2147483647 WHEN 'Int64' THEN 9223372036854775807
                                      WHEN 'UInt32' THEN 4294967295 ELSE 18446744073709551615 END
               WHEN data_type IN ('Single', 'Double', 'Decimal') THEN
                   btrim(value) ~ '^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?$'
               WHEN data_type = 'DateTime' THEN
                   btrim(value) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?)?(Z|[-+][0-9]{2}:[0-9]{2})?$'
               ELSE false
           END;
$$;
