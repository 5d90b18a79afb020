SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    internal.is_valid_parameter_value
    Whether a value, as text, fits an SSIS parameter data type: Boolean (0, 1, true, false), Byte,
    SByte, Int16, Int32, Int64, UInt32, UInt64 (whole numbers in range), Single, Double, Decimal
    (numbers), DateTime (ISO 8601) or String (anything). NULL is a valid (unset) value.
*/
CREATE OR ALTER FUNCTION internal.is_valid_parameter_value (
    @data_type nvarchar(4000),
    @value nvarchar(max)
)
RETURNS bit
WITH SCHEMABINDING
AS
BEGIN
    DECLARE @v nvarchar(max) = LTRIM(RTRIM(@value));
    DECLARE @n decimal(38, 0);

    IF @value IS NULL OR @data_type = N'String'
        RETURN 1;

    IF @data_type = N'Boolean'
        RETURN CASE WHEN LOWER(@v) IN (N'0', N'1', N'true', N'false') THEN 1 ELSE 0 END;

    IF @data_type IN (N'Byte', N'SByte', N'Int16', N'Int32', N'Int64', N'UInt32', N'UInt64')
    BEGIN
        IF
            LEN(@v) = 0
            OR LEN(@v) > 21
            OR @v COLLATE Latin1_General_BIN2 LIKE N'%[^0-9+-]%'
            OR SUBSTRING(@v, 2, 21) COLLATE Latin1_General_BIN2 LIKE N'%[+-]%'
            RETURN 0;
        SET @n = TRY_CONVERT(decimal(38, 0), @v);
        IF @n IS NULL
            RETURN 0;
        RETURN CASE
            WHEN @data_type = N'Byte' AND @n BETWEEN 0 AND 255 THEN 1
            WHEN @data_type = N'SByte' AND @n BETWEEN -128 AND 127 THEN 1
            WHEN @data_type = N'Int16' AND @n BETWEEN -32768 AND 32767 THEN 1
            WHEN @data_type = N'Int32' AND @n BETWEEN -2147483648 AND 2147483647 THEN 1
            WHEN @data_type = N'Int64' AND @n BETWEEN -9223372036854775808 AND 9223372036854775807 THEN 1
            WHEN @data_type = N'UInt32' AND @n BETWEEN 0 AND 4294967295 THEN 1
            WHEN @data_type = N'UInt64' AND @n BETWEEN 0 AND 18446744073709551615 THEN 1
            ELSE 0
        END;
    END;

    IF @data_type IN (N'Single', N'Double', N'Decimal')
        RETURN CASE WHEN TRY_CONVERT(float, @v) IS NULL THEN 0 ELSE 1 END;

    IF @data_type = N'DateTime'
        RETURN CASE
            WHEN
                @v LIKE N'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]%'
                AND TRY_CONVERT(datetimeoffset(7), @v) IS NOT NULL
                THEN 1
            ELSE 0
        END;

    RETURN 0;
END;
GO
