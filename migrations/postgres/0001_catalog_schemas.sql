-- 0001_catalog_schemas
-- Schemas catalog (the public API a DBA calls) and internal (tables, and routines only the master
-- calls), and the catalog's own properties (catalog.catalog_properties reads them).
-- Released steps are never edited: fix forward with a new step.

CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS internal;

CREATE TABLE internal.catalog_properties (
    property_name  varchar(256) NOT NULL,
    property_value varchar(256) NULL,
    CONSTRAINT pk_catalog_properties PRIMARY KEY (property_name)
);

-- SCHEMA_BUILD is kept current by the migration runner (1.0.<last step>).
INSERT INTO internal.catalog_properties (property_name, property_value)
VALUES ('SCHEMA_VERSION', '1'),
       ('SCHEMA_BUILD', '1.0.1');
