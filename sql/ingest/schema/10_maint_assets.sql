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
-- Each switch and rollback, recorded in its own transaction with the run that made it and what
-- it did: a step whose session was lost (a restart, a failover), perhaps during its COMMIT, is
-- run again, and finds here whether the lost attempt committed, so it never switches twice.
-- Not ingest_versions: the first switch archives no version, a rollback forgets the row of the
-- version it switches back in, and expiry deletes rows, so a committed switch's row there may
-- be missing. Expired once the run that made a row has ended (switch_records.expire).
CREATE TABLE IF NOT EXISTS maint_assets.ingest_switches (
    run_id text NOT NULL,
    production text NOT NULL,
    action text NOT NULL CHECK (action IN ('switch', 'rollback')),
    -- the schema switched in (the staging schema, or the version rolled back to)
    switched_in text NOT NULL,
    -- where production's version went; NULL for the first switch, which archived none
    archived_as text,
    switched_at timestamptz NOT NULL DEFAULT now(),
    -- what the switch did (switching.Switched and the caller's own), as the run reported it
    outcome jsonb NOT NULL,
    -- a second switch by the same run fails here, and rolls back with it
    PRIMARY KEY (run_id, production, action)
);
