-- Refreshing TrackDB from one listing of a store: new files added, changed files updated (and
-- indexed again), files no longer listed flagged, never deleted; unchanged rows not written.

-- name: create_listing
-- The listing (path, size, mtime) of every file; what the path says (layouts) only for the
-- files that are new or changed, or for all when the classification rules changed.
CREATE TEMP TABLE listing (
    path text NOT NULL, size bigint NOT NULL, mtime timestamptz NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE layouts (
    path text NOT NULL, kind text NOT NULL, collection text, stream text, job text,
    crawl_ts timestamptz NOT NULL
) ON COMMIT DROP;

-- name: copy_listing
COPY listing (path, size, mtime) FROM STDIN;

-- name: copy_layouts
COPY layouts (path, kind, collection, stream, job, crawl_ts) FROM STDIN;

-- name: analyze_listing
ANALYZE listing;

-- name: present_files
SELECT count(*) FROM webarchive.trackdb_files WHERE store = %(store)s AND NOT missing;

-- name: previous_listing
SELECT last_listed_at, layout_version FROM webarchive.stores WHERE store = %(store)s FOR UPDATE;

-- name: to_classify
-- New and changed files are found with one hash join (probing the primary key for every
-- listed file costs more than the whole join).
SELECT l.path, l.mtime FROM listing l
LEFT JOIN webarchive.trackdb_files f ON f.store = %(store)s AND f.path = l.path
WHERE %(every_file)s OR f.path IS NULL
   OR (f.size, f.mtime, f.missing) IS DISTINCT FROM (l.size, l.mtime, false);

-- name: upsert_files
-- Only rows whose listing or classification differs are written.
WITH changed AS (
    SELECT l.path, l.size, l.mtime, c.kind, c.collection, c.stream, c.job, c.crawl_ts
    FROM listing l JOIN layouts c USING (path)
), written AS (
    INSERT INTO webarchive.trackdb_files AS f
        (store, path, size, mtime, kind, collection, stream, job, crawl_ts, first_seen)
    SELECT %(store)s, c.path, c.size, c.mtime, c.kind, c.collection, c.stream, c.job,
           c.crawl_ts, %(now)s
    FROM changed c
    ON CONFLICT (store, path) DO UPDATE
    SET size = excluded.size, mtime = excluded.mtime, kind = excluded.kind,
        collection = excluded.collection, stream = excluded.stream, job = excluded.job,
        crawl_ts = excluded.crawl_ts, missing = false, last_seen = NULL,
        -- a file rewritten since it was indexed (or since it failed) is indexed again; one
        -- classified anew into another collection, or into a kind never indexed (viral),
        -- leaves the index, and is indexed again where it now belongs, if anywhere. A new
        -- mtime alone is no rewrite: a store copied without its times (cp -r, distcp without
        -- -p) or touched keeps every byte, and its lines would all leave the index at once,
        -- to come back batch by batch; a file's refused lines or quarantine stay too, or it
        -- would look indexed in full.
        cdx_indexed_at = CASE WHEN f.size = excluded.size
                                   AND f.collection IS NOT DISTINCT FROM excluded.collection
                                   AND excluded.kind IN ('warcs', 'arcs')
                              THEN f.cdx_indexed_at END,
        cdx_error = CASE WHEN f.size = excluded.size
                         THEN f.cdx_error END,
        cdx_quarantined_at = CASE WHEN f.size = excluded.size
                                  THEN f.cdx_quarantined_at END,
        cdx_denied_at = CASE WHEN f.size = excluded.size
                             THEN f.cdx_denied_at END
    WHERE (f.size, f.mtime, f.kind, f.missing, f.collection, f.stream, f.job, f.crawl_ts)
          IS DISTINCT FROM (excluded.size, excluded.mtime, excluded.kind, false,
                            excluded.collection, excluded.stream, excluded.job, excluded.crawl_ts)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written;

-- name: flag_missing
-- Only where the listing looked: under a folder it could not read or that was removed before
-- it read it (unread), or at or under a symlink it did not follow (a folder moved to another
-- disk and linked back), absence is no evidence.
UPDATE webarchive.trackdb_files f
SET missing = true, last_seen = %(previous)s
WHERE f.store = %(store)s AND NOT f.missing
  AND NOT EXISTS (SELECT FROM listing l WHERE l.path = f.path)
  AND NOT EXISTS (SELECT FROM unnest(%(unread)s::text[]) AS u(folder)
                  WHERE starts_with(f.path, u.folder))
  AND NOT EXISTS (SELECT FROM unnest(%(links)s::text[]) AS s(link)
                  WHERE f.path = s.link OR starts_with(f.path, s.link || '/'));

-- name: record_listing
INSERT INTO webarchive.stores (store, last_listed_at, files, layout_version)
VALUES (%(store)s, %(now)s, %(files)s, %(layout_version)s)
ON CONFLICT (store) DO UPDATE SET last_listed_at = excluded.last_listed_at, files = excluded.files,
    layout_version = excluded.layout_version;

-- name: kind_counts
SELECT kind, count(*) FILTER (WHERE NOT missing), count(*) FILTER (WHERE missing)
FROM webarchive.trackdb_files WHERE store = %(store)s GROUP BY kind ORDER BY kind;

-- name: recorded_stores
-- Every store TrackDB has rows of, newest listing first: some may be spellings of one store
-- recorded before stores had one identity.
SELECT store FROM webarchive.stores ORDER BY last_listed_at DESC, store;

-- name: rename_store
-- The rows of a store recorded under another spelling, moved to its identity with their
-- indexing status and segments (whose file names are kept: the ledger records them).
WITH files AS (
    UPDATE webarchive.trackdb_files SET store = %(store)s WHERE store = %(old)s
), segments AS (
    UPDATE webarchive.cdx_segments SET store = %(store)s WHERE store = %(old)s
)
UPDATE webarchive.stores SET store = %(store)s WHERE store = %(old)s;

-- name: spelling_conflicts
-- Files both spellings have, recorded with another size or time: which one the store holds is
-- not known, so the older spelling's rows are not merged.
SELECT o.path, o.size, o.mtime, n.size, n.mtime
FROM webarchive.trackdb_files o
JOIN webarchive.trackdb_files n ON n.store = %(store)s AND n.path = o.path
WHERE o.store = %(old)s AND (o.size, o.mtime) IS DISTINCT FROM (n.size, n.mtime)
ORDER BY o.path;

-- name: merge_duplicate_lines
-- A file both spellings indexed keeps the state of its earliest indexing (the other's is a
-- second copy of the same lines): the other's lines are left for the next index run to remove.
INSERT INTO webarchive.cdx_duplicate_lines (store, segment, path)
SELECT %(store)s, CASE WHEN p.older_first THEN p.new_segment ELSE p.old_segment END, p.path
FROM (
    SELECT o.path, o.cdx_segment AS old_segment, n.cdx_segment AS new_segment,
           o.cdx_indexed_at < n.cdx_indexed_at
           OR (o.cdx_indexed_at IS NOT NULL AND n.cdx_indexed_at IS NULL) AS older_first
    FROM webarchive.trackdb_files o
    JOIN webarchive.trackdb_files n ON n.store = %(store)s AND n.path = o.path
    WHERE o.store = %(old)s
) p
WHERE CASE WHEN p.older_first THEN p.new_segment ELSE p.old_segment END IS NOT NULL
ON CONFLICT DO NOTHING;

-- name: merge_same_files
UPDATE webarchive.trackdb_files n
SET first_seen = least(n.first_seen, o.first_seen),
    (cdx_indexed_at, cdx_error, cdx_records, cdx_first_capture, cdx_last_capture, cdx_bad_lines,
     cdx_segment, cdx_quarantined_at, cdx_warnings, cdx_denied_at) =
    (SELECT f.cdx_indexed_at, f.cdx_error, f.cdx_records, f.cdx_first_capture,
            f.cdx_last_capture, f.cdx_bad_lines, f.cdx_segment, f.cdx_quarantined_at,
            f.cdx_warnings, f.cdx_denied_at
     FROM webarchive.trackdb_files f
     WHERE (f.store, f.path) = (CASE WHEN o.cdx_indexed_at < n.cdx_indexed_at
                                          OR (o.cdx_indexed_at IS NOT NULL
                                              AND n.cdx_indexed_at IS NULL)
                                     THEN o.store ELSE n.store END, n.path))
FROM webarchive.trackdb_files o
WHERE n.store = %(store)s AND o.store = %(old)s AND o.path = n.path;

-- name: merge_spelling
-- The older spelling's rows of files the store's identity has are dropped (merged above), the
-- others moved, with the segments holding their lines (named uniquely: no clash).
WITH dropped AS (
    DELETE FROM webarchive.trackdb_files o
    USING webarchive.trackdb_files n
    WHERE o.store = %(old)s AND n.store = %(store)s AND n.path = o.path
    RETURNING o.path
), moved AS (
    UPDATE webarchive.trackdb_files SET store = %(store)s
    WHERE store = %(old)s AND path NOT IN (SELECT path FROM dropped)
), segments AS (
    UPDATE webarchive.cdx_segments SET store = %(store)s WHERE store = %(old)s
)
DELETE FROM webarchive.stores WHERE store = %(old)s;
