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
-- Regions on the outer side, as in obs_region_counts' apply_deltas.
CREATE TEMP TABLE dataset_deltas ON COMMIT DROP AS
SELECT r.fid, r.type::text AS type, d.id_taxa_obs, d.id_datasets,
       sum(d.sign)::integer AS n,
       count(*) FILTER (WHERE d.sign > 0)::integer AS n_added,
       min(d.year_obs) FILTER (WHERE d.sign > 0) AS added_min,
       max(d.year_obs) FILTER (WHERE d.sign > 0) AS added_max,
       min(d.year_obs) FILTER (WHERE d.sign < 0) AS removed_min,
       max(d.year_obs) FILTER (WHERE d.sign < 0) AS removed_max
FROM public.regions r
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
CROSS JOIN LATERAL (
    SELECT * FROM observation_deltas d
    WHERE ST_Within(d.geom, r.geom) AND d.within_quebec = r.within_quebec
) d
WHERE r.fid NOT IN (SELECT fid FROM changed_regions)
GROUP BY r.fid, r.type, d.id_taxa_obs, d.id_datasets;

-- name: stale_extremes
-- Rows that lost an observation and may have lost their first or last year with it. Rows
-- left with only the observations added now take the added years; rows whose first (last)
-- year gained an observation as early (late) keep it; the others are recomputed from the
-- observations. Rows left empty are dropped instead.
CREATE TEMP TABLE stale_extremes ON COMMIT DROP AS
SELECT * FROM (
    SELECT t.fid, t.id_taxa_obs, t.id_datasets, t.count_obs + d.n = d.n_added AS only_added,
           d.removed_min <= t.min_year AND coalesce(d.added_min > t.min_year, true) AS stale_min,
           d.removed_max >= t.max_year AND coalesce(d.added_max < t.max_year, true) AS stale_max
    FROM {table} t
    JOIN dataset_deltas d USING (fid, id_taxa_obs, id_datasets)
    WHERE d.removed_min IS NOT NULL AND t.count_obs + d.n > 0
) s
WHERE only_added OR stale_min OR stale_max;

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
    -- an observation that changed year only leaves most rows as they were: not rewritten
    WHERE EXCLUDED.count_obs <> 0
       OR EXCLUDED.min_year < t.min_year OR EXCLUDED.max_year > t.max_year
    RETURNING t.fid, t.id_taxa_obs, t.id_datasets, t.count_obs, (xmax = 0) AS inserted
)
INSERT INTO touched_counts SELECT * FROM upserted;

-- name: recompute_extremes
-- A stale first (last) year is found by walking the observations of the taxon and dataset
-- in year order (index observations_taxa_datasets_year_idx) up to the first one inside the
-- region: for a large region that is one of the first few. OFFSET 0 keeps the planner from
-- looking for them through the spatial index instead, which for a large region would read
-- every observation in it.
UPDATE {table} t
SET min_year = coalesce(x.min_year, t.min_year), max_year = coalesce(x.max_year, t.max_year)
FROM (
    SELECT s.fid, s.id_taxa_obs, s.id_datasets, d.added_min AS min_year, d.added_max AS max_year
    FROM stale_extremes s
    JOIN dataset_deltas d USING (fid, id_taxa_obs, id_datasets)
    WHERE s.only_added
    UNION ALL
    SELECT s.fid, s.id_taxa_obs, s.id_datasets,
           CASE WHEN s.stale_min THEN
               (SELECT c.year_obs
                FROM (SELECT o.year_obs, o.geom FROM public.observations o
                      WHERE o.id_taxa_obs = s.id_taxa_obs AND o.id_datasets = s.id_datasets
                        AND o.within_quebec = r.within_quebec
                      ORDER BY o.year_obs OFFSET 0) c
                WHERE ST_Within(c.geom, r.geom) LIMIT 1)
           END,
           CASE WHEN s.stale_max THEN
               (SELECT c.year_obs
                FROM (SELECT o.year_obs, o.geom FROM public.observations o
                      WHERE o.id_taxa_obs = s.id_taxa_obs AND o.id_datasets = s.id_datasets
                        AND o.within_quebec = r.within_quebec
                      ORDER BY o.year_obs DESC OFFSET 0) c
                WHERE ST_Within(c.geom, r.geom) LIMIT 1)
           END
    FROM stale_extremes s
    JOIN public.regions r ON r.fid = s.fid
    WHERE NOT s.only_added
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
