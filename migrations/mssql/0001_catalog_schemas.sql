SET ANSI_NULLS ON;
GO
SET QUOTED_IDENTIFIER ON;
GO
-- 0001_catalog_schemas
-- Schemas catalog (the public API a DBA calls) and internal (tables, and procedures only the
-- master calls), and the catalog's own properties (catalog.catalog_properties reads them).
-- Released steps are never edited: fix forward with a new step.

IF SCHEMA_ID(N'catalog') IS NULL EXEC sys.sp_executesql N'CREATE SCHEMA [catalog] AUTHORIZATION dbo;';
GO
IF SCHEMA_ID(N'internal') IS NULL EXEC sys.sp_executesql N'CREATE SCHEMA internal AUTHORIZATION dbo;';
GO

CREATE TABLE internal.catalog_properties (
    property_name nvarchar(256) NOT NULL,
    property_value nvarchar(256) NULL,
    CONSTRAINT pk_catalog_properties PRIMARY KEY CLUSTERED (property_name)
);
GO

-- SCHEMA_BUILD is kept current by the migration runner (1.0.<last step>).
INSERT INTO internal.catalog_properties (property_name, property_value)
VALUES (N'SCHEMA_VERSION', N'1'),
(N'SCHEMA_BUILD', N'1.0.1');
GO
