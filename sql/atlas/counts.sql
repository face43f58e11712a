-- What both count tables are made from (sql/atlas/obs_region_counts.sql and
-- obs_regions_taxa_datasets_counts.sql hold what depends on their own columns).
--
-- One point-in-polygon pass serves both tables. Counted regions (those whose (type, scale)
-- is in the zoom lookup and whose within_quebec is known, as in production's join) are cut
-- along a grid of 1/8 degree cells into maint_assets.region_cells: a cell lying wholly
-- inside a region needs no geometry test at all; a cell the boundary crosses keeps the part
-- of the region inside it, a polygon of a few dozen vertices instead of tens of thousands.
-- An observation finds its cells by an integer join, without probing a spatial index. The
-- cells' edges sit at k/8 + 1/64 degree (exact in binary, so a point's cell is computed
-- exactly), which no coordinate rounded to five decimals or fewer can equal, so points on a
-- cell edge are rare; {member} keeps even those exact.
--
-- The cells are kept up to date in place, cut again whenever a region changes; the rest is
-- rebuilt aside and swapped in.
--
-- maint_assets.region_taxon_dataset_year_counts (the detail) holds the counts per region,
-- taxon, dataset and year: obs_region_counts sums it over datasets, the dataset table over
-- years, and it is where a first or last year is found again when an observation leaves.
--
-- Statements are composed in Python: {member}, {cell_x}, {cell_y}, {cut_regions} and
-- {region_digest} are the fragments below, other {names} are quoted identifiers.

-- name: member
-- Observation o lies within region c.fid (what ST_Within(o.geom, region) says) when its cell
-- is wholly inside the region (piece and edge NULL), or when it lies within the cell's part
-- of the region, except near that part's edge, where ST_Within against the whole region rr
-- decides (every point of the cell is near when edge is the cell itself: see cut_regions).
-- The part's edge is not exactly the region's: where the region was cut (by ST_Subdivide or
-- along the cell) the new vertices are rounded, about 1e-14 degree off the region's edge, so
-- a point in that sliver is inside the part but outside the region, or the other way round.
-- Near means within 1e-9 degree (0.1 mm): far wider than the rounding, and hardly any real
-- observation lies that close to an edge without being on it. The part's edges also include
-- the cell's sides and the lines ST_Subdivide cut along, where the whole region decides too.
-- (rr is joined, not looked up in a subquery: a correlated subquery would keep the statement
-- from running in parallel.)
(CASE WHEN c.piece IS NULL AND c.edge IS NULL THEN true
       WHEN ST_DWithin(o.geom, c.edge, 1e-9) THEN ST_Within(o.geom, rr.geom)
       ELSE ST_Within(o.geom, c.piece) END)

-- name: cell_x
-- A NaN or infinite coordinate, or one past 2e8 degrees (no integer cell index), has no cell:
-- no region lies there, so ST_Within says false, as production counts it. Cast unguarded,
-- one such observation failed every refresh ("integer out of range").
floor(CASE WHEN abs(ST_X(o.geom)) < 2e8 THEN ST_X(o.geom) * 8 - 0.125 END)::integer

-- name: cell_y
floor(CASE WHEN abs(ST_Y(o.geom)) < 2e8 THEN ST_Y(o.geom) * 8 - 0.125 END)::integer

-- name: cut_regions
-- The cells of the regions listed in {regions} that are counted. A region of tens of
-- thousands of vertices is first cut by ST_Subdivide into pieces of at most 256 (so no test
-- below reads the whole region), then each piece along the cells it covers. Each cell is
-- taken with a margin of 2e-9 degree on every side (`around`), twice the distance within
-- which member lets the whole region decide, so that the pieces' rounded edges never decide
-- for a point of the cell: a cell is wholly inside when it lies, margin included, wholly
-- inside one piece; otherwise it keeps the parts of the pieces it overlaps, collected, and
-- their edges (`edge`, the outlines of the parts, which member measures the distance to).
-- A region that is not a valid geometry cannot be cut (GEOS refuses it, where production's
-- ST_Within still answers): each cell of its bounding box has the cell itself as its edge,
-- so that the whole region decides for every point in it.
-- grid is inlined where it is read (materialized, it wrote every piece once per cell to disk
-- and read it back twice); parts is materialized so that each part is computed once (inlined,
-- the aggregate computed it twice and sorted the pieces whole): 18 s against 26-31 s for the
-- tests' 48 824 regions.
WITH counted AS (
    SELECT r.fid, r.within_quebec, r.geom, (ST_IsValidDetail(r.geom)).valid AS valid
    FROM public.regions r
    WHERE r.fid IN (SELECT fid FROM {regions}) AND r.within_quebec IS NOT NULL
      AND EXISTS (SELECT 1 FROM atlas_api.regions_zoom_lookup z
                  WHERE z.type = r.type AND z.scale = r.scale)
),
pieces AS (
    SELECT c.fid, c.within_quebec, true AS valid, p.geom AS piece
    FROM (SELECT * FROM counted WHERE valid) c, ST_Subdivide(c.geom, 256) AS p (geom)
    UNION ALL
    SELECT fid, within_quebec, false, geom FROM counted WHERE NOT valid
),
grid AS NOT MATERIALIZED (
    SELECT p.fid, p.within_quebec, p.valid, p.piece, x.cx, y.cy, b.cell,
           ST_Expand(b.cell, 2e-9) AS around
    FROM pieces p,
         generate_series(floor((ST_XMin(p.piece) - 2e-9) * 8 - 0.125)::integer,
                         floor((ST_XMax(p.piece) + 2e-9) * 8 - 0.125)::integer) AS x (cx),
         generate_series(floor((ST_YMin(p.piece) - 2e-9) * 8 - 0.125)::integer,
                         floor((ST_YMax(p.piece) + 2e-9) * 8 - 0.125)::integer) AS y (cy),
         ST_MakeEnvelope(x.cx / 8.0 + 0.015625, y.cy / 8.0 + 0.015625,
                         (x.cx + 1) / 8.0 + 0.015625, (y.cy + 1) / 8.0 + 0.015625,
                         4326) AS b (cell)
),
parts AS MATERIALIZED (
    SELECT fid, within_quebec, cx, cy,
           CASE WHEN ST_ContainsProperly(piece, around) THEN NULL
                ELSE ST_ClipByBox2D(piece, around) END AS part
    FROM grid
    WHERE valid AND ST_Intersects(piece, around)
),
cells AS (
    SELECT fid, within_quebec, cx, cy,
           CASE WHEN bool_or(part IS NULL) THEN NULL
                ELSE ST_Multi(ST_CollectionExtract(ST_Collect(part), 3)) END AS piece
    FROM parts
    GROUP BY fid, within_quebec, cx, cy
)
SELECT fid, within_quebec, cx, cy, piece, ST_Boundary(piece) AS edge FROM cells
UNION ALL
SELECT fid, within_quebec, cx, cy, NULL, cell FROM grid WHERE NOT valid

-- name: region_digest
-- What a region's cells depend on: the region, and how it is cut (cut_version: a hash of the
-- statements above, so a change of grid cuts every region again: see outdated_cuts).
md5(ST_AsEWKB(r.geom)) || ':' || r.within_quebec::text || ':' || %(cut_version)s

-- name: one_ms_statement_timeout
-- In a savepoint, then sleep_past_it: a statement timeout's message in the server's language,
-- which tells a timeout from a cancel (they share SQLSTATE 57014). A statement's timeout is
-- set when it starts: the sleep is a statement of its own.
SELECT set_config('statement_timeout', '1', true);

-- name: sleep_past_it
SELECT pg_sleep(1);

-- name: settings
-- For the refresh transaction only. JIT compiles each statement for as long as a small
-- refresh takes and does not speed up a rebuild; the incremental statements read a few rows
-- of large tables through their indexes, which the default random_page_cost prices too high.
SELECT set_config('jit', 'off', true), set_config('random_page_cost', '1.1', true),
       set_config('work_mem', '256MB', true);

-- name: postgis
SELECT extversion FROM pg_extension WHERE extname = 'postgis';

-- name: geom_indexes
-- The GiST index on geom of each partition of observations, valid or not (production's
-- parent index is invalid and its partitions have none).
SELECT c.oid::regclass::text, x.indexrelid::regclass::text, coalesce(x.indisvalid, false),
       n.nspname, c.relname
FROM pg_inherits h
JOIN pg_class c ON c.oid = h.inhrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
    SELECT i.indexrelid, i.indisvalid FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ic.relam
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'geom'
    WHERE i.indrelid = c.oid AND am.amname = 'gist' AND i.indnatts = 1
      AND i.indkey[0] = a.attnum AND i.indpred IS NULL
    ORDER BY i.indisvalid DESC LIMIT 1
) x ON true
WHERE h.inhparent = 'public.observations'::regclass
ORDER BY 1;

-- name: stale_cuts
-- The cells are a cache of each counted region's current version, recorded in region_cuts:
-- regions cut from another version, not cut yet, or no longer counted are cut again.
CREATE TEMP TABLE regions_to_cut ON COMMIT DROP AS
WITH wanted AS (
    SELECT r.fid, {region_digest} AS digest
    FROM public.regions r
    WHERE r.within_quebec IS NOT NULL
      AND EXISTS (SELECT 1 FROM atlas_api.regions_zoom_lookup z
                  WHERE z.type = r.type AND z.scale = r.scale)
)
SELECT coalesce(w.fid, c.fid) AS fid
FROM wanted w
FULL JOIN maint_assets.region_cuts c ON c.fid = w.fid
WHERE w.digest IS DISTINCT FROM c.digest;

-- name: outdated_cuts
-- Regions whose cells were cut by other statements (an upgrade changed how regions are cut).
-- An incremental refresh cuts again only the regions that changed: these wait for a rebuild.
-- Read on every refresh, so through region_cuts_version_idx (<> cannot use an index).
SELECT count(*) FROM maint_assets.region_cuts
WHERE split_part(digest, ':', 3) < %(cut_version)s
   OR split_part(digest, ':', 3) > %(cut_version)s;

-- name: regions_not_valid
-- Counted regions that are not valid geometries (their cells defer to the whole region,
-- which makes their observations slow to place): found through a partial index.
SELECT coalesce(array_agg(DISTINCT fid ORDER BY fid), '{}')
FROM maint_assets.region_cells WHERE piece IS NULL AND edge IS NOT NULL;

-- name: uncut
DELETE FROM maint_assets.region_cells WHERE fid IN (SELECT fid FROM {regions});
DELETE FROM maint_assets.region_cuts WHERE fid IN (SELECT fid FROM {regions});

-- name: cut
INSERT INTO maint_assets.region_cells (fid, within_quebec, cx, cy, piece, edge)
{cut_regions};

-- name: cluster_cells
-- After many regions were cut: the cells are read a cell at a time (every region of one
-- cell), which the cut leaves scattered over the table, a page per region.
CLUSTER maint_assets.region_cells USING region_cells_cell_fid_idx;

-- name: record_cuts
INSERT INTO maint_assets.region_cuts (fid, digest)
SELECT r.fid, {region_digest}
FROM public.regions r
WHERE r.fid IN (SELECT fid FROM {regions}) AND r.within_quebec IS NOT NULL
  AND EXISTS (SELECT 1 FROM atlas_api.regions_zoom_lookup z
              WHERE z.type = r.type AND z.scale = r.scale);

-- name: build_detail
-- Stored by taxon, dataset and year, then region: the rows one new observation changes (one
-- per level) lie together, instead of one page per region all over the table, as in the
-- count tables (see build in sql/atlas/obs_region_counts.sql); a refresh after 1 000 inserts
-- then writes a third of the WAL. The primary key stays by region first: the checks read the
-- detail by region and taxon.
CREATE TABLE {detail} WITH (fillfactor = 90) AS
SELECT c.fid, o.id_taxa_obs, o.id_datasets, o.year_obs, count(*)::integer AS count_obs
FROM public.observations o
JOIN maint_assets.region_cells c
  ON c.cx = {cell_x} AND c.cy = {cell_y} AND c.within_quebec = o.within_quebec
JOIN public.regions rr ON rr.fid = c.fid
WHERE {member}
GROUP BY o.id_taxa_obs, o.id_datasets, o.year_obs, c.fid
ORDER BY o.id_taxa_obs, o.id_datasets, o.year_obs, c.fid;

-- name: analyze
ANALYZE {relation};

-- name: analyze_columns
-- Statistics on a geometry column cost more than the rest of a small refresh; the joins
-- need only the other columns' (and the row count, which any ANALYZE records).
ANALYZE {relation} ({columns});

-- name: vacuum
-- After a rebuild, outside any transaction. Pages written by CREATE TABLE AS carry no hint
-- bits and are not marked all-visible: until a VACUUM, the first reader of each page writes
-- it again and index-only scans (the atlas API's, the refresh's) read the table too; this
-- pass, which autovacuum would make at a moment of its own, is made here instead.
VACUUM {relation};

-- name: drop_if_exists
DROP TABLE IF EXISTS {relation};

-- name: lock_timeout
SELECT set_config('lock_timeout', %(timeout)s, true);

-- name: build_xid
-- The rebuild's transaction: its rows are visible to the snapshots taken after it committed.
SELECT pg_current_xact_id()::xid::text;

-- name: now
SELECT clock_timestamp();

-- name: swap_lock
-- Taken with a short lock_timeout and retried: a waiting ACCESS EXCLUSIVE request would
-- queue every reader behind it.
LOCK TABLE {relation} IN ACCESS EXCLUSIVE MODE;

-- name: drop_live
-- No CASCADE: the views on it are dropped and re-created by the swap (counts/rebuild.py);
-- anything else on it (a function returning its rows) makes the swap fail and roll back.
DROP TABLE {relation};

-- name: move_table
ALTER TABLE {relation} SET SCHEMA {schema};

-- name: build_levels
-- A zoom-lookup row without a type or a scale (its columns are nullable, as production's)
-- joins no region, in production's count functions as here: it is not a level.
CREATE TABLE {levels} AS SELECT DISTINCT type, scale FROM atlas_api.regions_zoom_lookup
WHERE type IS NOT NULL AND scale IS NOT NULL;

-- name: record_levels
DELETE FROM {levels};
INSERT INTO {levels} SELECT DISTINCT type, scale FROM atlas_api.regions_zoom_lookup
WHERE type IS NOT NULL AND scale IS NOT NULL;

-- name: row_counts
SELECT relation, row_count FROM maint_assets.maintained_row_counts WHERE relation = ANY (%(relations)s);

-- name: record_row_count
INSERT INTO maint_assets.maintained_row_counts AS m (relation, row_count)
VALUES (%(relation)s, %(row_count)s)
ON CONFLICT (relation) DO UPDATE SET row_count = EXCLUDED.row_count, counted_at = now();

-- name: count_rows
SELECT count(*) FROM {relation};

-- Incremental maintenance. pending_changes (sql/atlas/change_log.sql) holds the changes to
-- apply; regions that changed (and those of levels added to or removed from the zoom
-- lookup) are recounted whole, every other change is applied as signed deltas.

-- name: changed_regions
-- Regions inserted, updated or deleted, and every region of a level added or removed.
CREATE TEMP TABLE changed_regions ON COMMIT DROP AS
WITH changed_levels AS (
    (SELECT type, scale FROM {levels}
     EXCEPT SELECT type, scale FROM atlas_api.regions_zoom_lookup)
    UNION
    (SELECT type, scale FROM atlas_api.regions_zoom_lookup
     WHERE type IS NOT NULL AND scale IS NOT NULL
     EXCEPT SELECT type, scale FROM {levels})
)
SELECT row_id::integer AS fid FROM pending_changes WHERE source = 'regions'
UNION
SELECT r.fid FROM public.regions r
JOIN changed_levels l ON l.type = r.type AND l.scale = r.scale;

-- name: regions_summary
-- Changed regions, and how many of them are counted now (those are recounted).
SELECT count(*), count(*) FILTER (WHERE EXISTS (
    SELECT 1 FROM public.regions r JOIN atlas_api.regions_zoom_lookup z
      ON z.type = r.type AND z.scale = r.scale
    WHERE r.fid = c.fid AND r.within_quebec IS NOT NULL))
FROM changed_regions c;

-- name: touched_detail
-- The detail rows a refresh changed; count_obs is the new count of a row changed by deltas.
CREATE TEMP TABLE touched_detail (
    fid integer, id_taxa_obs integer, id_datasets integer, year_obs integer,
    count_obs integer, from_region boolean
) ON COMMIT DROP;

-- name: remove_regions_detail
WITH removed AS (
    DELETE FROM {detail} WHERE fid IN (SELECT fid FROM changed_regions)
    RETURNING fid, id_taxa_obs, id_datasets, year_obs
)
INSERT INTO touched_detail SELECT *, 0, true FROM removed;

-- name: recount_regions_detail_indexed
-- Each changed region reads the observations in its bounding box (GiST index on geom).
WITH recounted AS (
    INSERT INTO {detail} (fid, id_taxa_obs, id_datasets, year_obs, count_obs)
    SELECT c.fid, o.id_taxa_obs, o.id_datasets, o.year_obs, count(*)::integer
    FROM changed_regions ch
    JOIN public.regions r ON r.fid = ch.fid
    JOIN public.observations o ON o.geom && r.geom AND o.within_quebec = r.within_quebec
    JOIN maint_assets.region_cells c ON c.fid = r.fid AND c.cx = {cell_x} AND c.cy = {cell_y}
    JOIN public.regions rr ON rr.fid = c.fid
    WHERE {member}
    GROUP BY c.fid, o.id_taxa_obs, o.id_datasets, o.year_obs
    RETURNING fid, id_taxa_obs, id_datasets, year_obs, count_obs
)
INSERT INTO touched_detail SELECT *, true FROM recounted;

-- name: recount_regions_detail_scan
-- Without a spatial index on observations: one pass over them serves every changed region.
WITH recounted AS (
    INSERT INTO {detail} (fid, id_taxa_obs, id_datasets, year_obs, count_obs)
    SELECT c.fid, o.id_taxa_obs, o.id_datasets, o.year_obs, count(*)::integer
    FROM public.observations o
    JOIN maint_assets.region_cells c
      ON c.cx = {cell_x} AND c.cy = {cell_y} AND c.within_quebec = o.within_quebec
    JOIN public.regions rr ON rr.fid = c.fid
    WHERE c.fid IN (SELECT fid FROM changed_regions) AND {member}
    GROUP BY c.fid, o.id_taxa_obs, o.id_datasets, o.year_obs
    RETURNING fid, id_taxa_obs, id_datasets, year_obs, count_obs
)
INSERT INTO touched_detail SELECT *, true FROM recounted;

-- name: delta_memberships
-- The counted regions (changed ones excepted: they are recounted) each distinct point of
-- the deltas lies within.
CREATE TEMP TABLE delta_memberships ON COMMIT DROP AS
SELECT o.point, o.within_quebec, c.fid
FROM (SELECT point, within_quebec, (array_agg(geom))[1] AS geom
      FROM observation_deltas GROUP BY point, within_quebec) o
JOIN maint_assets.region_cells c
  ON c.cx = {cell_x} AND c.cy = {cell_y} AND c.within_quebec = o.within_quebec
JOIN public.regions rr ON rr.fid = c.fid
WHERE c.fid NOT IN (SELECT fid FROM changed_regions) AND {member};

-- name: detail_deltas
-- Net change per detail row: the versions of an observation that changed several times
-- since the last refresh cancel out, leaving its current version minus the one last counted.
CREATE TEMP TABLE detail_deltas ON COMMIT DROP AS
SELECT m.fid, d.id_taxa_obs, d.id_datasets, d.year_obs, sum(d.sign)::integer AS n
FROM observation_deltas d
JOIN delta_memberships m USING (point, within_quebec)
GROUP BY m.fid, d.id_taxa_obs, d.id_datasets, d.year_obs
HAVING sum(d.sign) <> 0;

-- name: apply_detail_deltas
-- In the primary key's order, so its pages are visited in turn.
WITH upserted AS (
    INSERT INTO {detail} AS t (fid, id_taxa_obs, id_datasets, year_obs, count_obs)
    SELECT fid, id_taxa_obs, id_datasets, year_obs, n FROM detail_deltas
    ORDER BY fid, id_taxa_obs, id_datasets, year_obs
    ON CONFLICT (fid, id_taxa_obs, id_datasets, year_obs)
    DO UPDATE SET count_obs = t.count_obs + EXCLUDED.count_obs
    RETURNING t.fid, t.id_taxa_obs, t.id_datasets, t.year_obs, t.count_obs
)
INSERT INTO touched_detail SELECT *, false FROM upserted;

-- name: drop_empty_detail
DELETE FROM {detail} t
USING touched_detail k
WHERE k.count_obs = 0 AND NOT k.from_region
  AND t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.id_datasets = k.id_datasets
  AND t.year_obs = k.year_obs;

-- name: negative_detail
SELECT count(*) FROM touched_detail WHERE count_obs < 0 AND NOT from_region;

-- The detail check counts the detail rows the deltas change again from the observations, on a
-- second connection in the refresh's snapshot (maint_assets/atlas/counts/touched_check.py),
-- while the refresh writes them; the refresh then compares the counts it wrote.

-- name: side_deltas
-- The refresh's detail deltas, on the second connection.
CREATE TEMP TABLE detail_deltas ON COMMIT DROP AS
SELECT * FROM unnest(%(fid)b::integer[], %(id_taxa_obs)b::integer[], %(id_datasets)b::integer[],
                     %(year_obs)b::integer[], %(n)b::integer[])
    AS d (fid, id_taxa_obs, id_datasets, year_obs, n);

-- name: checked_observations
-- Every observation of a taxon, dataset and year whose detail rows the deltas change, with
-- its cell and the regions changed for its taxon, dataset and year: what recount_detail
-- counts again. A table of its own, analyzed: the planner cannot estimate how many
-- observations share a taxon, dataset and year (guessing a handful, it read every cell of the
-- province once per touched row).
CREATE TEMP TABLE checked_observations ON COMMIT DROP AS
SELECT o.id_taxa_obs, o.id_datasets, o.year_obs, o.within_quebec, o.geom,
       {cell_x} AS cx, {cell_y} AS cy, k.fids
FROM (SELECT id_taxa_obs, id_datasets, year_obs, array_agg(fid) AS fids
      FROM detail_deltas
      GROUP BY id_taxa_obs, id_datasets, year_obs) k
JOIN public.observations o
  ON o.id_taxa_obs = k.id_taxa_obs AND o.id_datasets = k.id_datasets AND o.year_obs = k.year_obs;

-- name: recount_detail
-- The detail rows the deltas change, counted again from the checked_observations, placed by
-- the same cells. Of an observation's cells only those of the regions changed for its taxon,
-- dataset and year are tested (it lies in a dozen regions, of which a changed row needs one),
-- so the cost follows the changed rows.
SELECT c.fid, o.id_taxa_obs, o.id_datasets, o.year_obs, count(*)::integer AS count_obs
FROM checked_observations o
JOIN maint_assets.region_cells c
  ON c.cx = o.cx AND c.cy = o.cy AND c.within_quebec = o.within_quebec
 AND c.fid = ANY (o.fids)
JOIN public.regions rr ON rr.fid = c.fid
WHERE {member}
GROUP BY c.fid, o.id_taxa_obs, o.id_datasets, o.year_obs;

-- name: load_detail_recount
-- What the second connection counted, loaded on the refresh's (one array per column).
CREATE TEMP TABLE detail_recount ON COMMIT DROP AS
SELECT * FROM unnest(%(fid)b::integer[], %(id_taxa_obs)b::integer[], %(id_datasets)b::integer[],
                     %(year_obs)b::integer[], %(count_obs)b::integer[])
    AS e (fid, id_taxa_obs, id_datasets, year_obs, count_obs);

-- name: compare_detail
-- Detail rows the deltas changed, as the upsert returned them, against their count again
-- (rows it left at 0 were deleted since): mismatched rows, rows compared.
SELECT count(*) FILTER (WHERE coalesce(e.count_obs, 0) <> coalesce(k.count_obs, 0)), count(*)
FROM (SELECT * FROM touched_detail WHERE NOT from_region) k
FULL JOIN detail_recount e USING (fid, id_taxa_obs, id_datasets, year_obs);

-- name: check_regions
-- Detail rows of the changed regions against a direct ST_Within recount on each region's
-- own geometry (production's rule, without the cells). One region at a time (LATERAL, kept
-- from being flattened into a join by OFFSET 0): PostGIS prepares a polygon it is given
-- call after call, and a join that tests each observation against the regions in turn gave
-- it another polygon every call. Without a spatial index on observations that took 25-33 s
-- for the six large cadre_eco regions of 100 000 observations, against 1 s.
WITH recount AS (
    SELECT r.fid, o.id_taxa_obs, o.id_datasets, o.year_obs, count(*)::integer AS count_obs
    FROM changed_regions c
    JOIN public.regions r ON r.fid = c.fid
    CROSS JOIN LATERAL (
        SELECT o.id_taxa_obs, o.id_datasets, o.year_obs
        FROM public.observations o
        WHERE ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
        OFFSET 0
    ) o
    WHERE EXISTS (SELECT 1 FROM atlas_api.regions_zoom_lookup z
                  WHERE z.type = r.type AND z.scale = r.scale)
    GROUP BY r.fid, o.id_taxa_obs, o.id_datasets, o.year_obs
),
stored AS (
    SELECT fid, id_taxa_obs, id_datasets, year_obs, count_obs FROM {detail}
    WHERE fid IN (SELECT fid FROM changed_regions)
)
SELECT (SELECT count(*) FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount) b),
       (SELECT count(*) FROM stored);

-- name: export_snapshot
SELECT pg_export_snapshot();

-- name: read_detail_deltas
SELECT fid, id_taxa_obs, id_datasets, year_obs, n FROM detail_deltas;
