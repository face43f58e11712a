-- Where the catalogue table is built before it is swapped in. Idempotent.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('maint_assets_build') IS NULL THEN CREATE SCHEMA maint_assets_build; END IF;
END $$;

-- The datasets a load kept although its dump lacked them (a dump taken while the exposition
-- shifted: their absence is no evidence), with how many loads in a row kept each: a dataset
-- missing from more dumps than a load may keep it is gone (catalog/assets/public_datasets.py
-- _keep_absent).
DO $$ BEGIN
    IF to_regnamespace('maint_assets') IS NULL THEN CREATE SCHEMA maint_assets; END IF;
END $$;
CREATE TABLE IF NOT EXISTS maint_assets.catalog_kept_absent (
    identifier text PRIMARY KEY,
    loads integer NOT NULL
);
