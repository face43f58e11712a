-- TrackDB: every file of every WARC store, with its indexing status. Idempotent.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('webarchive') IS NULL THEN CREATE SCHEMA webarchive; END IF;
END $$;

CREATE TABLE IF NOT EXISTS webarchive.stores (
    store text PRIMARY KEY,
    last_listed_at timestamptz NOT NULL,
    files bigint NOT NULL
);
-- The classification rules (layout.LAYOUT_VERSION) the store's files were last classified
-- with: a new version classifies them all again, else only new and changed files are.
-- (Checked first, as the columns below: ALTER TABLE locks the table even when it exists.)
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = 'webarchive.stores'::regclass
                     AND attname = 'layout_version' AND NOT attisdropped) THEN
        ALTER TABLE webarchive.stores ADD COLUMN layout_version integer;
    END IF;
END $$;
-- What the indexing leaves out (warc_reading.INDEX_RULES_VERSION) when the store's index was
-- last brought in line with it: a new version re-queues, once, the files whose lines it now
-- leaves out (cdx_run.py).
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = 'webarchive.stores'::regclass
                     AND attname = 'index_rules_version' AND NOT attisdropped) THEN
        ALTER TABLE webarchive.stores ADD COLUMN index_rules_version integer;
    END IF;
END $$;

-- Present files carry last_seen NULL (they were in the store's latest listing: see the view);
-- unchanged files are therefore never rewritten by a refresh. fillfactor leaves room for the
-- status updates to stay HOT.
CREATE TABLE IF NOT EXISTS webarchive.trackdb_files (
    store text NOT NULL,
    path text NOT NULL,
    size bigint NOT NULL,
    mtime timestamptz NOT NULL,
    kind text NOT NULL,
    collection text,
    stream text,
    job text,
    crawl_ts timestamptz NOT NULL,
    first_seen timestamptz NOT NULL,
    last_seen timestamptz,
    missing boolean NOT NULL DEFAULT false,
    cdx_indexed_at timestamptz,
    cdx_error text,
    cdx_records integer,
    cdx_first_capture text,
    cdx_last_capture text,
    cdx_bad_lines integer,
    PRIMARY KEY (store, path)
) WITH (fillfactor = 90);

-- Where a file's index lines are (the segment file of webarchive.cdx_segments that holds them),
-- when it was quarantined (cdx_error: the file itself cannot be read, or the CDX server refused
-- some of its lines) and what warcio said while reading it.
-- (Checked first: ALTER TABLE locks the table even when the columns exist, and this file runs
-- with every refresh.)
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = 'webarchive.trackdb_files'::regclass
                     AND attname = 'cdx_warnings' AND NOT attisdropped) THEN
        ALTER TABLE webarchive.trackdb_files
            ADD COLUMN IF NOT EXISTS cdx_segment text,
            ADD COLUMN IF NOT EXISTS cdx_quarantined_at timestamptz,
            ADD COLUMN IF NOT EXISTS cdx_warnings text[];
        DROP INDEX IF EXISTS webarchive.trackdb_files_to_index;
    END IF;
END $$;
-- When the indexing user was last refused permission to read the file (not quarantined: a chmod
-- fixes it; it is tried again after the other waiting files).
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = 'webarchive.trackdb_files'::regclass
                     AND attname = 'cdx_denied_at' AND NOT attisdropped) THEN
        ALTER TABLE webarchive.trackdb_files ADD COLUMN IF NOT EXISTS cdx_denied_at timestamptz;
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS trackdb_files_waiting ON webarchive.trackdb_files (store, crawl_ts DESC)
    WHERE kind IN ('warcs', 'arcs') AND NOT missing AND cdx_indexed_at IS NULL
      AND cdx_error IS NULL;
-- Files whose lines are stale: gone from the store, rewritten, or re-queued.
CREATE INDEX IF NOT EXISTS trackdb_files_stale_lines ON webarchive.trackdb_files (store, cdx_segment)
    WHERE cdx_segment IS NOT NULL AND (missing OR cdx_indexed_at IS NULL);
CREATE INDEX IF NOT EXISTS trackdb_files_by_segment ON webarchive.trackdb_files (cdx_segment)
    WHERE cdx_segment IS NOT NULL;

-- The segment files the index of a store is made of (CDXJ files pywb reads, or the record of
-- the CDX11 lines posted to OutbackCDX). A file is registered 'writing' before it is written,
-- 'posting' while its lines are sent to OutbackCDX, made 'live' in the transaction that points
-- the WARCs at it, and 'retired' before it is deleted, so that a run that dies leaves nothing
-- the next run cannot finish or undo.
CREATE TABLE IF NOT EXISTS webarchive.cdx_segments (
    store text NOT NULL,
    name text NOT NULL,
    collection text NOT NULL,
    output text NOT NULL CHECK (output IN ('cdxj', 'outbackcdx')),
    state text NOT NULL CHECK (state IN ('writing', 'posting', 'live', 'retired')),
    lines bigint NOT NULL DEFAULT 0,
    bytes bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, name)
);

-- Lines of a file that duplicate those of the same file kept in another segment, left by the
-- merging of two spellings of one store that had both indexed it (store_spellings): the next
-- index run removes them from their segment (not from OutbackCDX: identical lines are one).
CREATE TABLE IF NOT EXISTS webarchive.cdx_duplicate_lines (
    store text NOT NULL,
    segment text NOT NULL,
    path text NOT NULL,
    PRIMARY KEY (store, segment, path)
);

-- The mount points under a local store's root (folder relative to it, '' for the root) seen in
-- /proc/self/mountinfo by the index runs: one not mounted now is a disk not mounted, whose
-- files are not known to be gone, even when nothing declares it (mounted by hand). Kept until
-- the operator retires it (retired_at: its files' absence is then taken as they are gone);
-- seen mounted again, it is remembered again.
CREATE TABLE IF NOT EXISTS webarchive.store_mounts (
    store text NOT NULL,
    folder text NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    retired_at timestamptz,
    PRIMARY KEY (store, folder)
);

-- New columns go at the end: CREATE OR REPLACE VIEW can only append. Replaced only when it
-- lacks its last column (cdx_warnings: a new last column must be named here too): replacing a
-- view locks it against its readers, and this file runs with every refresh and index run.
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute
                   WHERE attrelid = to_regclass('webarchive.trackdb')
                     AND attname = 'cdx_warnings' AND NOT attisdropped) THEN
        CREATE OR REPLACE VIEW webarchive.trackdb AS
        SELECT f.store, f.path, f.size, f.mtime, f.kind, f.collection, f.stream, f.job,
               f.crawl_ts, f.first_seen, coalesce(f.last_seen, s.last_listed_at) AS last_seen,
               f.missing, f.cdx_indexed_at, f.cdx_error, f.cdx_records, f.cdx_first_capture,
               f.cdx_last_capture, f.cdx_bad_lines, f.cdx_segment, f.cdx_quarantined_at,
               f.cdx_warnings
        FROM webarchive.trackdb_files f JOIN webarchive.stores s USING (store);
    END IF;
END $$;
