-- Consuming the change log (sql/atlas/capture/). A consumer owns a frontier per source:
-- every change by a transaction older than the frontier is consumed; `carried` lists the
-- positions consumed beyond it (transactions that committed before others still running).
-- Consumers work in REPEATABLE READ, so what they read of the log and of the tables is one
-- snapshot, and the frontier they store is that snapshot's xmin.

-- name: state
SELECT s.source, s.epoch = e.epoch
FROM maint_assets.change_consumers s, maint_assets.change_log_epoch e
WHERE s.consumer = %(consumer)s AND s.source = ANY (%(sources)s);

-- name: stage_pending
CREATE TEMP TABLE pending_changes ON COMMIT DROP AS
SELECT c.*
FROM maint_assets.change_log c
JOIN maint_assets.change_consumers s ON s.source = c.source AND s.consumer = %(consumer)s
WHERE c.xid >= s.frontier AND c.position <> ALL (s.carried);

-- name: pending_summary
SELECT count(*) FILTER (WHERE source = 'observations' AND op = 'I'),
       count(*) FILTER (WHERE source = 'observations' AND op = 'U'),
       count(*) FILTER (WHERE source = 'observations' AND op = 'D'),
       count(DISTINCT row_id) FILTER (WHERE source = 'regions')
FROM pending_changes;

-- name: observation_deltas
-- Each change removes the old version of an observation and adds the new one.
CREATE TEMP TABLE observation_deltas ON COMMIT DROP AS
SELECT -1 AS sign, old_geom AS geom, old_within_quebec AS within_quebec,
       old_id_taxa_obs AS id_taxa_obs, old_year_obs AS year_obs, old_id_datasets AS id_datasets
FROM pending_changes WHERE source = 'observations' AND op IN ('U', 'D')
UNION ALL
SELECT 1, new_geom, new_within_quebec, new_id_taxa_obs, new_year_obs, new_id_datasets
FROM pending_changes WHERE source = 'observations' AND op IN ('I', 'U');
-- The count tables look up the changed points of each region through this index.
CREATE INDEX ON observation_deltas USING gist (geom);

-- name: changed_regions
CREATE TEMP TABLE changed_regions ON COMMIT DROP AS
SELECT DISTINCT row_id::integer AS fid FROM pending_changes WHERE source = 'regions';

-- name: advance
INSERT INTO maint_assets.change_consumers AS s (consumer, source, frontier, carried, epoch)
SELECT %(consumer)s, src, f.frontier,
       coalesce((SELECT array_agg(c.position) FROM maint_assets.change_log c
                 WHERE c.source = src AND c.xid >= f.frontier), '{}'),
       (SELECT epoch FROM maint_assets.change_log_epoch)
FROM unnest(%(sources)s::text[]) AS src,
     (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS frontier) AS f
ON CONFLICT (consumer, source) DO UPDATE
SET frontier = EXCLUDED.frontier, carried = EXCLUDED.carried, epoch = EXCLUDED.epoch,
    consumed_at = now();

-- name: trim
-- Changes every consumer of their source has consumed.
DELETE FROM maint_assets.change_log c
WHERE c.source = ANY (%(sources)s)
  AND c.xid < (SELECT min(s.frontier) FROM maint_assets.change_consumers s
               WHERE s.source = c.source);

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

-- name: position_now
SELECT f.frontier::text,
       coalesce((SELECT array_agg(c.position) FROM maint_assets.change_log c
                 WHERE c.xid >= f.frontier), '{}')
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS frontier) AS f;
