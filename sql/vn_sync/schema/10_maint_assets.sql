-- Bookkeeping of the VisioNature repair. Idempotent, and once in place it changes nothing:
-- every statement checks the catalog first, so a run as a role that only may write rows here
-- (not own the tables) goes through. It never touches Client-API-VN's tables; the deletion
-- capture on them is installed by vn_sync/bookkeeping.sql.

-- The runbook's monitoring table (fix_synchro.sql), kept compatible: per repair, its two
-- rows, 'insert' and 'update', counting production's observations, so its readers (the last
-- 'insert' row, a day's sum) read what they did; the run's other facts are in
-- maint_assets.vn_monitoring. An existing one gains the run id and the table (and, from
-- earlier versions, which wrote every fact here, the site, id and detail of an item).
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('dbadmin') IS NULL THEN CREATE SCHEMA dbadmin; END IF;
    IF to_regclass('dbadmin.monitoring_vn_check_to_prod') IS NULL THEN
        CREATE TABLE dbadmin.monitoring_vn_check_to_prod (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            date timestamptz NOT NULL DEFAULT now(),
            action varchar NOT NULL,
            count integer
        );
    END IF;
    IF (SELECT count(*) FROM pg_attribute
        WHERE attrelid = 'dbadmin.monitoring_vn_check_to_prod'::regclass AND NOT attisdropped
          AND attname IN ('table_name', 'run_id', 'site', 'item_id', 'detail')) < 5 THEN
        ALTER TABLE dbadmin.monitoring_vn_check_to_prod
            ADD COLUMN IF NOT EXISTS table_name varchar,
            ADD COLUMN IF NOT EXISTS run_id varchar,
            ADD COLUMN IF NOT EXISTS site varchar,
            ADD COLUMN IF NOT EXISTS item_id bigint,
            ADD COLUMN IF NOT EXISTS detail text;
    END IF;
    IF to_regnamespace('maint_assets') IS NULL THEN CREATE SCHEMA maint_assets; END IF;

    -- Every fact of every run (downloads, merges, each table's writes, refusals, items kept
    -- or skipped). The runbook's table above gets only what fix_synchro.sql wrote there: per
    -- repair, the rows inserted into and updated in production's observations_json.
    IF to_regclass('maint_assets.vn_monitoring') IS NULL THEN
        CREATE TABLE maint_assets.vn_monitoring (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            date timestamptz NOT NULL DEFAULT now(),
            run_id varchar,
            action varchar NOT NULL,
            count integer,
            table_name varchar,
            site varchar,
            item_id bigint,
            detail text
        );
        CREATE INDEX ON maint_assets.vn_monitoring (run_id);
    END IF;

    -- Each completed window download of the check copy (mode 'window'), or each adoption of
    -- a check copy the operator's own cron keeps (mode 'adopt'): what it covered is in
    -- vn_window_slices and vn_window_places; the repair only writes inside it.
    IF to_regclass('maint_assets.vn_windows') IS NULL THEN
        CREATE TABLE maint_assets.vn_windows (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            check_schema text NOT NULL,
            mode text NOT NULL CHECK (mode IN ('window', 'adopt')),
            type_date text NOT NULL CHECK (type_date IN ('sighting', 'entry')),
            -- epoch seconds: when the download started (rows updated since may be missing
            -- from it) and when the check copy was last brought up to date by the diff
            download_started bigint NOT NULL,
            confirmed_at bigint NOT NULL,
            tables text[] NOT NULL,
            -- adoption: the last download_log line read, so the next adoption reads newer ones
            last_log_id bigint,
            run_id text NOT NULL,
            finished_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX vn_windows_latest ON maint_assets.vn_windows (check_schema, id DESC);
        -- One observations/search answer transfer_vn stored: its download_log line.
        CREATE TABLE maint_assets.vn_window_slices (
            window_id bigint NOT NULL REFERENCES maint_assets.vn_windows ON DELETE CASCADE,
            site text NOT NULL,
            taxo_group integer NOT NULL,
            territorial_unit text NOT NULL,
            first_day date NOT NULL,
            last_day date NOT NULL,
            rows integer NOT NULL
        );
        CREATE INDEX ON maint_assets.vn_window_slices (window_id);
        -- The territorial unit (id_country || short_name) of each place, from the reference
        -- tables downloaded with the window or else the check copy's; and the sites whose
        -- places were downloaded whole (with territorial_unit_ids, commune by commune:
        -- vn_window_place_communes).
        CREATE TABLE maint_assets.vn_window_places (
            window_id bigint NOT NULL REFERENCES maint_assets.vn_windows ON DELETE CASCADE,
            site text NOT NULL,
            place integer NOT NULL,
            territorial_unit text NOT NULL,
            downloaded boolean NOT NULL,
            PRIMARY KEY (window_id, site, place)
        );
        CREATE TABLE maint_assets.vn_window_place_sites (
            window_id bigint NOT NULL REFERENCES maint_assets.vn_windows ON DELETE CASCADE,
            site text NOT NULL,
            PRIMARY KEY (window_id, site)
        );
        -- Rows of the check copy inside the window that the download did not bring and
        -- that no deletion signal explains: kept, never copied to production.
        CREATE TABLE maint_assets.vn_window_unconfirmed (
            window_id bigint NOT NULL REFERENCES maint_assets.vn_windows ON DELETE CASCADE,
            table_name text NOT NULL,
            site text NOT NULL,
            id integer NOT NULL,
            PRIMARY KEY (window_id, table_name, site, id)
        );
    END IF;

    -- The communes whose places a window downloaded, when transfer_vn asked for them commune
    -- by commune (territorial_unit_ids: Places.store asks for the places of each commune of
    -- the listed units) instead of for the whole site (vn_window_place_sites).
    IF to_regclass('maint_assets.vn_window_place_communes') IS NULL THEN
        CREATE TABLE maint_assets.vn_window_place_communes (
            window_id bigint NOT NULL REFERENCES maint_assets.vn_windows ON DELETE CASCADE,
            site text NOT NULL,
            commune text NOT NULL,
            PRIMARY KEY (window_id, site, commune)
        );
    END IF;

    -- Deletions made in either copy: transfer_vn's --update deletes a row only when the
    -- source's diff reports it deleted (Client-API-VN 2.12 delete_obs, delete_place), but an
    -- operator's or GeoNature's DELETE is recorded alike, so each row here is only a claim
    -- that the source deleted it. Filled by the triggers of bookkeeping.sql.
    IF to_regclass('maint_assets.vn_deletions') IS NULL THEN
        CREATE TABLE maint_assets.vn_deletions (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            schema_name text NOT NULL,
            table_name text NOT NULL,
            site text NOT NULL,
            item_id integer NOT NULL,
            update_ts bigint,
            deleted_at bigint NOT NULL
        );
        CREATE INDEX ON maint_assets.vn_deletions (table_name, site, item_id);
        -- Each diff poll of the check copy that ran to its end: the next one asks the
        -- diff for every change since the last one started, whatever transfer_vn did to
        -- its watermark (it moves it before fetching, so a failed run loses changes).
        CREATE TABLE maint_assets.vn_polls (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            check_schema text NOT NULL,
            -- transfer_vn's clock (naive local time): what the diff was asked for, and when
            since timestamp NOT NULL,
            started timestamp NOT NULL,
            run_id text NOT NULL
        );
        -- When each capture trigger was installed: deletions before it are unknown.
        CREATE TABLE maint_assets.vn_capture (
            schema_name text NOT NULL,
            table_name text NOT NULL,
            installed_at bigint NOT NULL,
            PRIMARY KEY (schema_name, table_name)
        );
    END IF;

    -- The deleting session's application_name: our own transfer_vn runs are 'transfer_vn'
    -- (client_api_vn.py), so the repair can tell the window's own diff poll from a DELETE by
    -- hand made while it ran. NULL on rows recorded before the column existed.
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = 'maint_assets.vn_deletions'::regclass AND NOT attisdropped
                     AND attname = 'application_name') THEN
        ALTER TABLE maint_assets.vn_deletions ADD COLUMN application_name text;
    END IF;

    -- A row either copy's transfer_vn stored again after a deletion of it was recorded
    -- (vn_deletions): VisioNature served it then. Filled by the BEFORE INSERT trigger of
    -- bookkeeping.sql, which sees every row transfer_vn stores, changed or not, and by the
    -- merge for the rows a window download brought after their deletion (schema_name: the
    -- download's staging schema; vn_check_copy.sql record_served); the latest time per row.
    IF to_regclass('maint_assets.vn_served') IS NULL THEN
        CREATE TABLE maint_assets.vn_served (
            schema_name text NOT NULL,
            table_name text NOT NULL,
            site text NOT NULL,
            item_id integer NOT NULL,
            served_at bigint NOT NULL,
            PRIMARY KEY (schema_name, table_name, site, item_id)
        );
    END IF;

    -- The taxo groups each poll asked the diff for, per site ([{"site", "taxo_group"}]):
    -- transfer_vn asks only those it lists (not an excluded one, nor one the account lost),
    -- and moves their watermarks as it asks. NULL on polls recorded before the column.
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = 'maint_assets.vn_polls'::regclass AND NOT attisdropped
                     AND attname = 'groups') THEN
        ALTER TABLE maint_assets.vn_polls ADD COLUMN groups jsonb;
    END IF;

    -- The first transaction id assigned after the window's last fetch from the source began
    -- (its diff poll, else its download; coverage.sql xid_horizon): a form or place of
    -- production written since (by the live sync) is newer than the check copy's, and the
    -- repair keeps it (reconcile.sql). NULL: an adoption, or a window recorded before.
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = 'maint_assets.vn_windows'::regclass AND NOT attisdropped
                     AND attname = 'fetched_xid') THEN
        ALTER TABLE maint_assets.vn_windows ADD COLUMN fetched_xid bigint;
    END IF;
END $$;
