-- atlas_api.obs_regions_taxa_datasets_counts: observations per region, taxon and dataset,
-- with the first and last year observed; same spatial rule as obs_region_counts.

-- name: build
-- Pages keep 10 % free so that incremental count updates stay on their page (HOT
-- updates: no new index entries).
CREATE TABLE {table} WITH (fillfactor = 90) AS
SELECT r.fid, r.type::text AS type, o.id_taxa_obs, o.id_datasets,
       min(o.year_obs) AS min_year, max(o.year_obs) AS max_year,
       count(o.id)::integer AS count_obs
FROM public.observations o
JOIN public.regions r ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
GROUP BY r.fid, r.type, o.id_taxa_obs, o.id_datasets;

-- name: indexes
CREATE UNIQUE INDEX obs_regions_taxa_datasets_counts_unique_idx
    ON {table} (fid, id_taxa_obs, id_datasets);
CREATE INDEX obs_regions_taxa_datasets_counts_fid_idx ON {table} (fid);
CREATE INDEX obs_regions_taxa_datasets_counts_id_datasets_idx ON {table} (id_datasets);
CREATE INDEX obs_regions_taxa_datasets_counts_id_taxa_obs_idx ON {table} (id_taxa_obs);
CREATE INDEX obs_regions_taxa_datasets_counts_min_year_idx ON {table} (min_year);
CREATE INDEX obs_regions_taxa_datasets_counts_max_year_idx ON {table} (max_year);
CREATE INDEX obs_regions_taxa_datasets_counts_type_fid_idx ON {table} (type, fid);

-- Incremental maintenance from the change log (sql/atlas/change_log.sql stages the deltas).

-- name: stage_deltas
CREATE TEMP TABLE dataset_deltas ON COMMIT DROP AS
SELECT r.fid, r.type::text AS type, d.id_taxa_obs, d.id_datasets,
       sum(d.sign)::integer AS n,
       min(d.year_obs) FILTER (WHERE d.sign > 0) AS added_min,
       max(d.year_obs) FILTER (WHERE d.sign > 0) AS added_max,
       min(d.year_obs) FILTER (WHERE d.sign < 0) AS removed_min,
       max(d.year_obs) FILTER (WHERE d.sign < 0) AS removed_max
FROM observation_deltas d
JOIN public.regions r ON ST_Within(d.geom, r.geom) AND d.within_quebec = r.within_quebec
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
WHERE r.fid NOT IN (SELECT fid FROM changed_regions)
GROUP BY r.fid, r.type, d.id_taxa_obs, d.id_datasets;

-- name: stale_extremes
-- Rows that lost an observation from their first or last year: those years are recomputed.
CREATE TEMP TABLE stale_extremes ON COMMIT DROP AS
SELECT t.fid, t.id_taxa_obs, t.id_datasets
FROM {table} t
JOIN dataset_deltas d USING (fid, id_taxa_obs, id_datasets)
WHERE d.removed_min IS NOT NULL
  AND (d.removed_min <= t.min_year OR d.removed_max >= t.max_year);

-- name: touched
-- The rows the deltas changed, with their new counts: empty and negative rows are found here
-- instead of by scanning the whole table.
CREATE TEMP TABLE touched_counts (
    fid integer, id_taxa_obs integer, id_datasets integer, count_obs integer, inserted boolean
) ON COMMIT DROP;

-- name: apply_deltas
WITH upserted AS (
    INSERT INTO {table} AS t (fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs)
    SELECT fid, type, id_taxa_obs, id_datasets, added_min, added_max, n
    FROM dataset_deltas
    WHERE n <> 0 OR added_min IS NOT NULL
    ON CONFLICT (fid, id_taxa_obs, id_datasets) DO UPDATE
    SET count_obs = t.count_obs + EXCLUDED.count_obs,
        min_year = least(t.min_year, EXCLUDED.min_year),
        max_year = greatest(t.max_year, EXCLUDED.max_year)
    RETURNING t.fid, t.id_taxa_obs, t.id_datasets, t.count_obs, (xmax = 0) AS inserted
)
INSERT INTO touched_counts SELECT * FROM upserted;

-- name: recompute_extremes
UPDATE {table} t
SET min_year = x.min_year, max_year = x.max_year
FROM (
    SELECT s.fid, s.id_taxa_obs, s.id_datasets, min(o.year_obs) AS min_year,
           max(o.year_obs) AS max_year
    FROM stale_extremes s
    JOIN public.regions r ON r.fid = s.fid
    JOIN public.observations o
      ON o.id_taxa_obs = s.id_taxa_obs AND o.id_datasets = s.id_datasets
     AND ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    GROUP BY s.fid, s.id_taxa_obs, s.id_datasets
) x
WHERE t.fid = x.fid AND t.id_taxa_obs = x.id_taxa_obs AND t.id_datasets = x.id_datasets;

-- name: drop_regions
DELETE FROM {table} WHERE fid IN (SELECT fid FROM changed_regions);

-- name: recount_regions
INSERT INTO {table} (fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs)
SELECT r.fid, r.type::text, o.id_taxa_obs, o.id_datasets, min(o.year_obs), max(o.year_obs),
       count(o.id)::integer
FROM changed_regions c
JOIN public.regions r ON r.fid = c.fid
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
GROUP BY r.fid, r.type, o.id_taxa_obs, o.id_datasets;

-- name: drop_empty
DELETE FROM {table} t
USING touched_counts k
WHERE k.count_obs = 0
  AND t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.id_datasets = k.id_datasets;

-- name: sample_mismatches
-- Rows of the sampled regions that differ from a direct ST_Within recount, and rows compared.
WITH recount AS (
    SELECT r.fid, r.type::text AS type, o.id_taxa_obs, o.id_datasets, min(o.year_obs) AS min_year,
           max(o.year_obs) AS max_year, count(*)::integer AS count_obs
    FROM public.regions r
    JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    WHERE r.fid = ANY (%(fids)s)
    GROUP BY r.fid, r.type, o.id_taxa_obs, o.id_datasets
), stored AS (
    SELECT fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs
    FROM {table} WHERE fid = ANY (%(fids)s)
)
SELECT (SELECT count(*) FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount) b),
       (SELECT count(*) FROM stored);
