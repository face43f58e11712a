-- Where the catalogue table is built before it is swapped in. Idempotent.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('maint_assets_build') IS NULL THEN CREATE SCHEMA maint_assets_build; END IF;
END $$;
