-- The indexes and constraints the project made from its own SQL on the tables it replaces (the
-- ingest's rules from its tables file, the catalogue's from sql/catalog/datasets.sql), by
-- oid, which renames (of the table or its schema) leave as they are: at a swap they are not
-- carried onto the replacement as a DBA's or an analyst's are, so one the project no longer
-- declares goes with the replaced table (core/own_objects.py). The table's oid guards against
-- an object's oid reused after it was dropped; a row whose object is gone is forgotten at the
-- next recording. Idempotent; applied by every domain that swaps tables, after its own.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('maint_assets') IS NULL THEN CREATE SCHEMA maint_assets; END IF;
END $$;
CREATE TABLE IF NOT EXISTS maint_assets.own_objects (
    kind text NOT NULL CHECK (kind IN ('index', 'constraint')),
    object oid NOT NULL,
    table_oid oid NOT NULL,
    PRIMARY KEY (kind, object)
);
