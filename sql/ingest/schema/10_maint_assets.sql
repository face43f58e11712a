-- The versions of an ingested production schema: which schema holds which version. Idempotent.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
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
-- Foreign keys from this version's tables to tables outside it, as the switch that dropped them
-- read them (each {table, name, definition}, the definition read with every name qualified):
-- a rollback to this version makes them again.
ALTER TABLE maint_assets.ingest_versions
    ADD COLUMN IF NOT EXISTS swept_keys jsonb NOT NULL DEFAULT '[]';
