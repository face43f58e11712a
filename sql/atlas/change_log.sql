-- Consuming the change log (sql/atlas/capture/). A position in the log is a transaction-id
-- frontier (every change by a transaction older than it is consumed) plus `carried`, the
-- positions consumed beyond it (transactions that committed before others still running).
-- Consumers work in REPEATABLE READ, so what they read of the log and of the tables is one
-- snapshot, and the frontier they store is that snapshot's xmin. Each consumer (the change
-- sensor, and each maintained asset) records its position in change_consumers; a change is
-- trimmed only once every consumer of its source has passed it.

-- name: state
SELECT s.source, s.epoch = e.epoch, s.frontier::text, s.carried
FROM maint_assets.change_consumers s, maint_assets.change_log_epoch e
WHERE s.consumer = %(consumer)s AND s.source = ANY (%(sources)s);

-- name: epoch
SELECT epoch FROM maint_assets.change_log_epoch;

-- name: start_epoch
-- A database restored from a schema-only dump (the staging database) has capture's tables
-- but none of their rows: its log starts afresh, with no consumer positioned in it.
INSERT INTO maint_assets.change_log_epoch DEFAULT VALUES ON CONFLICT DO NOTHING;

-- name: stage_pending
-- The changes to the given sources after the position (frontier, carried).
CREATE TEMP TABLE pending_changes ON COMMIT DROP AS
SELECT c.*
FROM maint_assets.change_log c
WHERE c.source = ANY (%(sources)s) AND c.xid >= %(frontier)s::xid8
  AND c.position <> ALL (%(carried)s::bigint[]);

-- name: pending_summary
SELECT count(*) FILTER (WHERE source = 'observations' AND op = 'I'),
       count(*) FILTER (WHERE source = 'observations' AND op = 'U'),
       count(*) FILTER (WHERE source = 'observations' AND op = 'D'),
       count(DISTINCT row_id) FILTER (WHERE source = 'regions'),
       count(*) FILTER (WHERE source = 'regions_zoom_lookup')
FROM pending_changes;

-- name: pending_count
-- How many changes of the given sources wait after a position (the sensor's quick look).
SELECT count(*) FILTER (WHERE source = 'observations'),
       count(*) FILTER (WHERE source <> 'observations')
FROM maint_assets.change_log
WHERE source = ANY (%(sources)s) AND xid >= %(frontier)s::xid8
  AND position <> ALL (%(carried)s::bigint[]);

-- name: observation_deltas
-- Each change removes the version of an observation it replaced and adds the new one; a
-- point is identified by its bytes (same bytes, same regions).
CREATE TEMP TABLE observation_deltas ON COMMIT DROP AS
SELECT -1 AS sign, ST_AsEWKB(old_geom) AS point, old_geom AS geom,
       old_within_quebec AS within_quebec, old_id_taxa_obs AS id_taxa_obs,
       old_year_obs AS year_obs, old_id_datasets AS id_datasets
FROM pending_changes
WHERE source = 'observations' AND op IN ('U', 'D') AND old_geom IS NOT NULL
UNION ALL
SELECT 1, ST_AsEWKB(new_geom), new_geom, new_within_quebec, new_id_taxa_obs, new_year_obs,
       new_id_datasets
FROM pending_changes
WHERE source = 'observations' AND op IN ('I', 'U') AND new_geom IS NOT NULL;

-- name: position_now
SELECT f.frontier::text,
       coalesce((SELECT array_agg(c.position) FROM maint_assets.change_log c
                 WHERE c.xid >= f.frontier), '{}')
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS frontier) AS f;

-- name: advance
-- Record that the consumer has consumed everything up to the position (frontier, carried);
-- carried is narrowed to each source.
INSERT INTO maint_assets.change_consumers AS s (consumer, source, frontier, carried, epoch)
SELECT %(consumer)s, src, %(frontier)s::xid8,
       coalesce((SELECT array_agg(c.position) FROM maint_assets.change_log c
                 WHERE c.source = src AND c.position = ANY (%(carried)s::bigint[])), '{}'),
       (SELECT epoch FROM maint_assets.change_log_epoch)
FROM unnest(%(sources)s::text[]) AS src
ON CONFLICT (consumer, source) DO UPDATE
SET frontier = EXCLUDED.frontier, carried = EXCLUDED.carried, epoch = EXCLUDED.epoch,
    consumed_at = now();

-- name: trim
-- Changes every consumer of their source has passed (below its frontier, or carried).
-- Nothing of a source is trimmed before the change sensor has recorded a position for it:
-- the sensor reports what the others consume, so a change it has not seen must stay.
DELETE FROM maint_assets.change_log c
WHERE c.source = ANY (%(sources)s)
  AND EXISTS (SELECT 1 FROM maint_assets.change_consumers s
              WHERE s.source = c.source AND s.consumer = %(sensor)s)
  AND NOT EXISTS (SELECT 1 FROM maint_assets.change_consumers s
                  WHERE s.source = c.source AND c.xid >= s.frontier
                    AND NOT c.position = ANY (s.carried));

-- name: forget_consumers
DELETE FROM maint_assets.change_consumers WHERE consumer = ANY (%(consumers)s);

-- name: backlog
SELECT source, count(*), extract(epoch FROM now() - min(logged_at))
FROM maint_assets.change_log
GROUP BY source;

-- name: installed
SELECT to_regclass('maint_assets.change_log') IS NOT NULL;

-- name: changes_since
-- What a reader positioned at (frontier, carried) has not seen yet, by source and operation.
SELECT source, op::text, count(*)
FROM maint_assets.change_log
WHERE xid >= %(frontier)s::xid8 AND position <> ALL (%(carried)s::bigint[])
GROUP BY source, op;

-- name: parent_geom_index
-- The GiST index on geom of the observations parent (the one production has is INVALID:
-- created ON ONLY the parent, with no index attached from the partitions).
SELECT x.indexrelid::regclass::text
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attname = 'geom'
WHERE x.indrelid = 'public.observations'::regclass AND am.amname = 'gist' AND x.indnatts = 1
  AND x.indkey[0] = a.attnum AND x.indpred IS NULL
ORDER BY x.indisvalid DESC
LIMIT 1;

-- name: create_parent_geom_index
CREATE INDEX observations_geom_idx ON ONLY public.observations USING gist (geom);

-- name: unattached_geom_indexes
-- Valid GiST indexes on geom of the partitions not yet attached to the parent's.
SELECT x.indexrelid::regclass::text
FROM pg_inherits h
JOIN pg_index x ON x.indrelid = h.inhrelid
JOIN pg_class ic ON ic.oid = x.indexrelid
JOIN pg_am am ON am.oid = ic.relam
JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attname = 'geom'
WHERE h.inhparent = 'public.observations'::regclass AND am.amname = 'gist'
  AND x.indnatts = 1 AND x.indkey[0] = a.attnum AND x.indpred IS NULL AND x.indisvalid
  AND NOT EXISTS (SELECT 1 FROM pg_inherits i
                  WHERE i.inhrelid = x.indexrelid AND i.inhparent = %(parent)s::regclass);

-- name: retire_check_index
-- The index earlier versions of capture built for the detail check (without the INCLUDE of
-- observations_checked_idx, which replaces it). Dropping an index locks its table against
-- reads too, and a partitioned table's index cannot be dropped CONCURRENTLY: done after
-- capture is in place, in a transaction of its own that gives up when readers hold on.
SELECT set_config('lock_timeout', '1s', true);
DROP INDEX IF EXISTS public.observations_taxa_datasets_year_idx;

-- name: checks_partitions
-- Whether the installed capture can say which partitions it covers (an older one cannot).
SELECT to_regprocedure('maint_assets.uncaptured_partitions()') IS NOT NULL;

-- name: uncaptured_partitions
SELECT attached, detached FROM maint_assets.uncaptured_partitions();
