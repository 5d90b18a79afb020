SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
/*
    catalog.update_master_address
    Sets MASTER_ADDRESS, the endpoint workers are given: an https URL with a host and a port, such as
    https://scaleout-master:8391 (with several masters, the DNS name in front of them).
    Caller: DBA (ssis_admin). Result sets: none. Returns 0.
    Errors: 51000 @MasterAddress is NULL; 51001 not https://host:port.
*/
CREATE OR ALTER PROCEDURE [catalog].update_master_address
    @MasterAddress nvarchar(4000) = NULL
AS
BEGIN
    SET NOCOUNT ON;
    /* Explicit: a session left at SNAPSHOT or SERIALIZABLE must not change what this procedure does. */
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    SET XACT_ABORT ON;

    /* ---------------------------------------- Check input parameters */
    IF @MasterAddress IS NULL
    BEGIN
        EXEC internal.raise_error @number = 51000, @a1 = N'@MasterAddress';
        RETURN 1;
    END;

    DECLARE @rest nvarchar(256) = NULL;
    DECLARE @host nvarchar(256) = NULL;
    DECLARE @port_text nvarchar(256) = NULL;
    DECLARE @last_colon int = 0;

    IF LOWER(LEFT(@MasterAddress, 8)) = N'https://'
    BEGIN
        SET @rest = SUBSTRING(@MasterAddress, 9, 256);
        IF RIGHT(@rest, 1) = N'/'
            SET @rest = LEFT(@rest, LEN(@rest) - 1);
        IF CHARINDEX(N':', @rest) > 0
        BEGIN
            SET @last_colon = LEN(@rest) - CHARINDEX(N':', REVERSE(@rest)) + 1;
            SET @host = LEFT(@rest, @last_colon - 1);
            SET @port_text = SUBSTRING(@rest, @last_colon + 1, 256);
        END;
    END;

    IF
        @host IS NULL
        OR @host = N''
        OR @host LIKE N'%[/?#@ ]%'
        OR (@host LIKE N'%:%' AND NOT (@host LIKE N'[[]%]'))
        OR @port_text IS NULL
        OR @port_text = N''
        OR LEN(@port_text) > 5
        OR @port_text COLLATE Latin1_General_BIN2 LIKE N'%[^0-9]%'
        OR TRY_CONVERT(int, @port_text) NOT BETWEEN 1 AND 65535
    BEGIN
        EXEC internal.raise_error
            @number = 51001,
            @a1 = N'@MasterAddress',
            @a2 = @MasterAddress,
            @a3 = N'an https URL with a host and a port, such as https://scaleout-master:8391';
        RETURN 1;
    END;

    /* ---------------------------------------- Set; table: master_properties */
    UPDATE mp
    SET mp.property_value = @MasterAddress
    FROM internal.master_properties AS mp
    WHERE mp.property_name = N'MASTER_ADDRESS';

    RETURN 0;
END;
GO
