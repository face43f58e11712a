-- TrackDB: every file of every WARC store, with its indexing status. Idempotent.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('webarchive') IS NULL THEN CREATE SCHEMA webarchive; END IF;
END $$;

CREATE TABLE IF NOT EXISTS webarchive.stores (
    store text PRIMARY KEY,
    last_listed_at timestamptz NOT NULL,
    files bigint NOT NULL
);

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

CREATE INDEX IF NOT EXISTS trackdb_files_to_index ON webarchive.trackdb_files (store, crawl_ts DESC)
    WHERE kind = 'warcs' AND NOT missing AND cdx_indexed_at IS NULL AND cdx_error IS NULL;

CREATE OR REPLACE VIEW webarchive.trackdb AS
SELECT f.store, f.path, f.size, f.mtime, f.kind, f.collection, f.stream, f.job, f.crawl_ts,
       f.first_seen, coalesce(f.last_seen, s.last_listed_at) AS last_seen, f.missing,
       f.cdx_indexed_at, f.cdx_error, f.cdx_records, f.cdx_first_capture, f.cdx_last_capture,
       f.cdx_bad_lines
FROM webarchive.trackdb_files f JOIN webarchive.stores s USING (store);
