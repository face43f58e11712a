-- Bookkeeping of the VisioNature repair. Idempotent; it never touches Client-API-VN's tables.

-- The runbook's monitoring table (fix_synchro.sql), kept compatible: an existing one gains the
-- run id and the table name, so its old rows and readers stay valid.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('dbadmin') IS NULL THEN CREATE SCHEMA dbadmin; END IF;
END $$;
CREATE TABLE IF NOT EXISTS dbadmin.monitoring_vn_check_to_prod (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    date timestamptz NOT NULL DEFAULT now(),
    action varchar NOT NULL,
    count integer
);
ALTER TABLE dbadmin.monitoring_vn_check_to_prod
    ADD COLUMN IF NOT EXISTS table_name varchar,
    ADD COLUMN IF NOT EXISTS run_id varchar;

-- Each completed window download of a check copy: what the copy now holds exactly as the
-- source had it. The repair only judges deletions inside the latest such window.
DO $$ BEGIN
    IF to_regnamespace('maint_assets') IS NULL THEN CREATE SCHEMA maint_assets; END IF;
END $$;
CREATE TABLE IF NOT EXISTS maint_assets.vn_check_windows (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    check_schema text NOT NULL,
    window_start date NOT NULL,
    -- epoch seconds: sightings dated from here are complete in the copy (a day after the
    -- window start, so a site's time zone cannot put a sighting on the wrong side)
    deletions_from bigint NOT NULL,
    -- epoch seconds: rows updated after the download started may be missing from it
    download_started bigint NOT NULL,
    type_date text NOT NULL CHECK (type_date IN ('sighting', 'entry')),
    tables text[] NOT NULL,
    run_id text NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vn_check_windows_latest
    ON maint_assets.vn_check_windows (check_schema, finished_at DESC);
