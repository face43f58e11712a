-- The CDX index of a store: what TrackDB says is to index or to remove, what a run records, and
-- the ledger of the segment files the index is made of.

-- name: requeue_quarantined
-- The retry job: quarantined files are indexed again (their lines, if any, removed first).
UPDATE webarchive.trackdb_files
SET cdx_error = NULL, cdx_quarantined_at = NULL, cdx_indexed_at = NULL
WHERE store = %(store)s AND cdx_error IS NOT NULL AND NOT missing;

-- name: index_rules_version
-- NULL for a store indexed before the version was recorded; no row for a store never listed.
SELECT index_rules_version FROM webarchive.stores WHERE store = %(store)s;

-- name: requeue_for_rules
-- Indexed files whose lines the rules now leave out: their lines are removed and they are
-- indexed again (stale_lines, to_index).
UPDATE webarchive.trackdb_files SET cdx_indexed_at = NULL
WHERE store = %(store)s AND path = ANY(%(paths)s) AND cdx_segment IS NOT NULL;

-- name: record_index_rules
UPDATE webarchive.stores SET index_rules_version = %(version)s WHERE store = %(store)s;

-- name: stale_lines
-- Files whose lines must leave the index: no longer listed (their absence is confirmed with
-- the store before anything is removed), rewritten since they were indexed, or re-queued.
SELECT path, cdx_segment, missing
FROM webarchive.trackdb_files
WHERE store = %(store)s AND cdx_segment IS NOT NULL AND (missing OR cdx_indexed_at IS NULL)
ORDER BY cdx_segment, path;

-- name: to_index
-- Newest first, as the archive's users look for recent captures first; a file whose old lines
-- are still in the index waits until they are removed. Files the indexing user was refused
-- come last, longest refused first: tried again each run there is room, never holding up the
-- others.
(SELECT path, coalesce(collection, %(default_collection)s), size
 FROM webarchive.trackdb_files
 WHERE store = %(store)s AND kind IN ('warcs', 'arcs') AND NOT missing
   AND cdx_indexed_at IS NULL AND cdx_error IS NULL AND cdx_segment IS NULL
   AND cdx_denied_at IS NULL
 ORDER BY crawl_ts DESC, path
 LIMIT %(batch)s)
UNION ALL
(SELECT path, coalesce(collection, %(default_collection)s), size
 FROM webarchive.trackdb_files
 WHERE store = %(store)s AND kind IN ('warcs', 'arcs') AND NOT missing
   AND cdx_indexed_at IS NULL AND cdx_error IS NULL AND cdx_segment IS NULL
   AND cdx_denied_at IS NOT NULL
 ORDER BY cdx_denied_at, path
 LIMIT %(batch)s)
LIMIT %(batch)s;

-- name: record_indexed
-- A file with refused lines (OutbackCDX) is indexed without them and quarantined.
UPDATE webarchive.trackdb_files f
SET cdx_indexed_at = now(), cdx_segment = r.segment, cdx_records = r.records,
    cdx_first_capture = r.first_capture, cdx_last_capture = r.last_capture,
    cdx_bad_lines = r.bad_lines, cdx_error = r.error,
    cdx_quarantined_at = CASE WHEN r.error IS NULL THEN NULL ELSE now() END,
    cdx_denied_at = NULL,
    cdx_warnings = ARRAY(SELECT jsonb_array_elements_text(r.warnings::jsonb))
FROM unnest(%(paths)s::text[], %(segments)s::text[], %(records)s::int[], %(firsts)s::text[],
            %(lasts)s::text[], %(bad_lines)s::int[], %(errors)s::text[], %(warnings)s::text[])
     AS r(path, segment, records, first_capture, last_capture, bad_lines, error, warnings)
WHERE f.store = %(store)s AND f.path = r.path;

-- name: record_quarantined
UPDATE webarchive.trackdb_files f
SET cdx_error = r.error, cdx_quarantined_at = now(),
    cdx_warnings = ARRAY(SELECT jsonb_array_elements_text(r.warnings::jsonb))
FROM unnest(%(paths)s::text[], %(errors)s::text[], %(warnings)s::text[])
     AS r(path, error, warnings)
WHERE f.store = %(store)s AND f.path = r.path;

-- name: record_denied
UPDATE webarchive.trackdb_files SET cdx_denied_at = now()
WHERE store = %(store)s AND path = ANY(%(paths)s);

-- name: lines_removed
UPDATE webarchive.trackdb_files
SET cdx_segment = NULL, cdx_indexed_at = NULL, cdx_records = NULL, cdx_first_capture = NULL,
    cdx_last_capture = NULL, cdx_bad_lines = NULL
WHERE store = %(store)s AND path = ANY(%(paths)s);

-- name: repoint
UPDATE webarchive.trackdb_files SET cdx_segment = %(new)s
WHERE store = %(store)s AND cdx_segment = ANY(%(old)s);

-- name: waiting
SELECT count(*) FROM webarchive.trackdb_files
WHERE store = %(store)s AND kind IN ('warcs', 'arcs') AND NOT missing
  AND cdx_indexed_at IS NULL AND cdx_error IS NULL;

-- name: quarantined
SELECT count(*) OVER (), path, cdx_error FROM webarchive.trackdb_files
WHERE store = %(store)s AND NOT missing AND cdx_error IS NOT NULL
ORDER BY crawl_ts DESC, path
LIMIT 20;

-- name: denied
-- Files waiting that the indexing user was refused permission to read.
SELECT count(*) OVER (), path, cdx_denied_at FROM webarchive.trackdb_files
WHERE store = %(store)s AND NOT missing AND cdx_denied_at IS NOT NULL
  AND cdx_indexed_at IS NULL AND cdx_error IS NULL
ORDER BY crawl_ts DESC, path
LIMIT 20;

-- name: segment_begin
INSERT INTO webarchive.cdx_segments (store, name, collection, output, state)
VALUES (%(store)s, %(name)s, %(collection)s, %(output)s, 'writing');

-- name: segment_posting
UPDATE webarchive.cdx_segments SET state = 'posting' WHERE store = %(store)s AND name = %(name)s;

-- name: segment_live
UPDATE webarchive.cdx_segments SET state = 'live', lines = %(lines)s, bytes = %(bytes)s
WHERE store = %(store)s AND name = %(name)s;

-- name: segments_retire
UPDATE webarchive.cdx_segments SET state = 'retired'
WHERE store = %(store)s AND name = ANY(%(names)s);

-- name: segments_forget
DELETE FROM webarchive.cdx_segments WHERE store = %(store)s AND name = ANY(%(names)s);

-- name: segments_live
SELECT name, collection, lines, bytes FROM webarchive.cdx_segments
WHERE store = %(store)s AND output = %(output)s AND state = 'live'
ORDER BY collection, bytes, name;

-- name: segments_unfinished
SELECT name, collection, state FROM webarchive.cdx_segments
WHERE store = %(store)s AND output = %(output)s AND state <> 'live'
ORDER BY created_at, name;

-- name: segment_files
-- Which file of the store each sampled line's file is, and whether it is still listed.
SELECT path, missing FROM webarchive.trackdb_files
WHERE store = %(store)s AND path = ANY(%(paths)s);

-- name: files_without_segment
SELECT count(*) FROM webarchive.trackdb_files f
WHERE f.store = %(store)s AND f.cdx_segment IS NOT NULL
  AND NOT EXISTS (SELECT FROM webarchive.cdx_segments s
                  WHERE s.store = f.store AND s.name = f.cdx_segment AND s.state = 'live');

-- name: duplicate_lines
-- Second copies of files' lines, left by merging two spellings of the store (the files' rows
-- point to the segments holding the copies kept).
SELECT segment, array_agg(path ORDER BY path) FROM webarchive.cdx_duplicate_lines
WHERE store = %(store)s GROUP BY segment ORDER BY segment;

-- name: duplicates_removed
DELETE FROM webarchive.cdx_duplicate_lines WHERE store = %(store)s AND segment = %(segment)s;

-- name: mounts_seen
-- Mount points mounted now: remembered, or remembered again if they had been retired.
INSERT INTO webarchive.store_mounts AS m (store, folder, first_seen_at, last_seen_at)
SELECT %(store)s, folder, now(), now() FROM unnest(%(folders)s::text[]) AS f(folder)
ON CONFLICT (store, folder) DO UPDATE SET last_seen_at = excluded.last_seen_at, retired_at = NULL;

-- name: mounts_remembered
SELECT folder, retired_at IS NOT NULL FROM webarchive.store_mounts
WHERE store = %(store)s ORDER BY folder;

-- name: mounts_retired
-- Retiring one already retired keeps its first retirement: a retried run retires it again.
UPDATE webarchive.store_mounts SET retired_at = coalesce(retired_at, now())
WHERE store = %(store)s AND folder = ANY(%(folders)s);
