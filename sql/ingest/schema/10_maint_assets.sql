-- The versions of an ingested production schema: which schema holds which version. Idempotent.
CREATE SCHEMA IF NOT EXISTS maint_assets;
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
