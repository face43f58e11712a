-- The versions of an ingested production schema: which schema holds which version. Idempotent.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('maint_assets') IS NULL THEN CREATE SCHEMA maint_assets; END IF;
END $$;
CREATE TABLE IF NOT EXISTS maint_assets.ingest_versions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    production text NOT NULL,
    -- the schema that holds this version once it is no longer production
    archived_as text NOT NULL UNIQUE,
    switched_at timestamptz NOT NULL DEFAULT now(),
    run_id text NOT NULL,
    -- 'previous': kept for rollback; 'rolled_back': the version a rollback replaced
    state text NOT NULL CHECK (state IN ('previous', 'rolled_back'))
);
-- The indexes and constraints the ingest made from the tables file on a version's tables (its
-- rules), by oid, which the schema's renames (staging, production, archived) leave as they
-- are: at a switch production's own rules are not carried onto the new version as a DBA's
-- are, so a rule the tables file no longer declares goes with the old version. The table's
-- oid guards against an object's oid reused after it was dropped; a row whose object is gone
-- is forgotten at the next load.
CREATE TABLE IF NOT EXISTS maint_assets.ingest_rules (
    kind text NOT NULL CHECK (kind IN ('index', 'constraint')),
    object oid NOT NULL,
    table_oid oid NOT NULL,
    PRIMARY KEY (kind, object)
);
