-- atlas_api.obs_regions_taxa_datasets_counts: observations per region, taxon and dataset,
-- with the first and last year observed; same spatial rule as obs_region_counts. Made from
-- the detail table (sql/atlas/counts.sql), which keeps the years: a row that loses its first
-- or last year finds the next one there. Its definition is production's
-- (sql/atlas/schema/45_count_tables.sql).

-- name: build
-- Pages are filled to 90 %: a count that changes later stays on its page (a HOT update, no
-- new entry in any of the seven indexes). The fillfactor option itself is then set back to
-- the live table's (production has none), so the definition is unchanged; only the pages
-- keep room, as after a VACUUM.
-- Stored by taxon and dataset, then region: the rows one new observation changes (one per
-- level, its taxon and dataset) lie together; see build in obs_region_counts.sql.
CREATE TABLE {table} WITH (fillfactor = 90) AS
SELECT d.fid, r.type::text AS type, d.id_taxa_obs, d.id_datasets,
       min(d.year_obs) AS min_year, max(d.year_obs) AS max_year,
       sum(d.count_obs)::integer AS count_obs
FROM {detail} d
JOIN public.regions r ON r.fid = d.fid
GROUP BY d.id_taxa_obs, d.id_datasets, d.fid, r.type
ORDER BY d.id_taxa_obs, d.id_datasets, d.fid;

-- name: touched
-- The rows a refresh changed, as the upserts left them (count 0: to be deleted).
CREATE TEMP TABLE touched_dataset_counts (
    fid integer, id_taxa_obs integer, id_datasets integer, count_obs integer, inserted boolean,
    type text, min_year integer, max_year integer
) ON COMMIT DROP;

-- name: apply_deltas
-- The count moves by the detail's deltas summed over years. A key that lost no year (none
-- of its detail rows emptied) can only have gained years: its first and last years widen to
-- the years that gained observations, without reading the detail (keys that lost a year:
-- apply_deltas_lost_years). In the unique index's order, so its pages are visited in turn.
WITH deltas AS (
    SELECT fid, id_taxa_obs, id_datasets, sum(n)::integer AS n,
           min(year_obs) FILTER (WHERE n > 0) AS min_year,
           max(year_obs) FILTER (WHERE n > 0) AS max_year
    FROM detail_deltas d
    WHERE NOT EXISTS (
        SELECT 1 FROM touched_detail k
        WHERE k.count_obs = 0 AND NOT k.from_region AND k.fid = d.fid
          AND k.id_taxa_obs = d.id_taxa_obs AND k.id_datasets = d.id_datasets)
    GROUP BY fid, id_taxa_obs, id_datasets
),
upserted AS (
    INSERT INTO {table} AS t (fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs)
    SELECT d.fid, r.type::text, d.id_taxa_obs, d.id_datasets, d.min_year, d.max_year, d.n
    FROM deltas d
    JOIN public.regions r ON r.fid = d.fid
    ORDER BY d.fid, d.id_taxa_obs, d.id_datasets
    ON CONFLICT (fid, id_taxa_obs, id_datasets) DO UPDATE
    SET count_obs = t.count_obs + EXCLUDED.count_obs,
        min_year = least(t.min_year, EXCLUDED.min_year),
        max_year = greatest(t.max_year, EXCLUDED.max_year)
    WHERE EXCLUDED.count_obs <> 0
       OR EXCLUDED.min_year < t.min_year OR EXCLUDED.max_year > t.max_year
    RETURNING t.fid, t.id_taxa_obs, t.id_datasets, t.count_obs, (xmax = 0) AS inserted,
              t.type, t.min_year, t.max_year
)
INSERT INTO touched_dataset_counts SELECT * FROM upserted;

-- name: apply_deltas_lost_years
-- Keys of which a detail row emptied (a year lost its last observation there): the count
-- moves by the deltas, the first and last years are read back from the detail (already
-- updated).
WITH deltas AS (
    SELECT fid, id_taxa_obs, id_datasets, sum(n)::integer AS n
    FROM detail_deltas d
    WHERE EXISTS (
        SELECT 1 FROM touched_detail k
        WHERE k.count_obs = 0 AND NOT k.from_region AND k.fid = d.fid
          AND k.id_taxa_obs = d.id_taxa_obs AND k.id_datasets = d.id_datasets)
    GROUP BY fid, id_taxa_obs, id_datasets
),
upserted AS (
    INSERT INTO {table} AS t (fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs)
    SELECT d.fid, r.type::text, d.id_taxa_obs, d.id_datasets, y.min_year, y.max_year, d.n
    FROM deltas d
    JOIN public.regions r ON r.fid = d.fid
    CROSS JOIN LATERAL (
        SELECT min(x.year_obs) AS min_year, max(x.year_obs) AS max_year
        FROM {detail} x
        WHERE x.fid = d.fid AND x.id_taxa_obs = d.id_taxa_obs AND x.id_datasets = d.id_datasets
    ) y
    ORDER BY d.fid, d.id_taxa_obs, d.id_datasets
    ON CONFLICT (fid, id_taxa_obs, id_datasets) DO UPDATE
    SET count_obs = t.count_obs + EXCLUDED.count_obs,
        min_year = EXCLUDED.min_year, max_year = EXCLUDED.max_year
    WHERE EXCLUDED.count_obs <> 0
       OR (t.min_year, t.max_year) IS DISTINCT FROM (EXCLUDED.min_year, EXCLUDED.max_year)
    RETURNING t.fid, t.id_taxa_obs, t.id_datasets, t.count_obs, (xmax = 0) AS inserted,
              t.type, t.min_year, t.max_year
)
INSERT INTO touched_dataset_counts SELECT * FROM upserted;

-- name: drop_empty
DELETE FROM {table} t
USING touched_dataset_counts k
WHERE k.count_obs = 0
  AND t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.id_datasets = k.id_datasets;

-- name: remove_regions
DELETE FROM {table} WHERE fid IN (SELECT fid FROM changed_regions);

-- name: add_regions
INSERT INTO {table} (fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs)
SELECT d.fid, r.type::text, d.id_taxa_obs, d.id_datasets, min(d.year_obs), max(d.year_obs),
       sum(d.count_obs)::integer
FROM {detail} d
JOIN public.regions r ON r.fid = d.fid
WHERE d.fid IN (SELECT fid FROM changed_regions)
GROUP BY d.fid, d.id_taxa_obs, d.id_datasets, r.type;

-- name: check_touched
-- Every row the refresh touched against the detail: mismatched rows, rows compared. A row
-- an upsert left with a count is taken as it returned it, a row it left at 0 as gone; every
-- other key (keys whose deltas changed nothing, the recounted regions' rows) is read back:
-- see check_touched in sql/atlas/obs_region_counts.sql.
WITH keys AS (
    SELECT fid, id_taxa_obs, id_datasets FROM touched_dataset_counts
    UNION
    SELECT fid, id_taxa_obs, id_datasets FROM detail_deltas
    UNION
    SELECT fid, id_taxa_obs, id_datasets FROM {table} WHERE fid IN (SELECT fid FROM changed_regions)
    UNION
    SELECT fid, id_taxa_obs, id_datasets FROM {detail} WHERE fid IN (SELECT fid FROM changed_regions)
    ORDER BY 1, 2, 3  -- the lookups below then go through the tables in their order
),
expected AS (
    -- summed first, then labelled: one region lookup per key, not per detail row
    SELECT e.fid, r.type::text AS type, e.id_taxa_obs, e.id_datasets, e.min_year, e.max_year,
           e.count_obs
    FROM (
        SELECT k.fid, k.id_taxa_obs, k.id_datasets, min(d.year_obs) AS min_year,
               max(d.year_obs) AS max_year, sum(d.count_obs)::integer AS count_obs
        FROM keys k
        JOIN {detail} d
          ON d.fid = k.fid AND d.id_taxa_obs = k.id_taxa_obs AND d.id_datasets = k.id_datasets
        GROUP BY k.fid, k.id_taxa_obs, k.id_datasets
    ) e
    JOIN public.regions r ON r.fid = e.fid
),
returned AS (
    SELECT fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs
    FROM touched_dataset_counts WHERE count_obs <> 0
),
read_back AS (
    SELECT fid, id_taxa_obs, id_datasets FROM keys
    EXCEPT SELECT fid, id_taxa_obs, id_datasets FROM touched_dataset_counts
),
stored AS (
    SELECT * FROM returned
    UNION ALL
    SELECT t.fid, t.type, t.id_taxa_obs, t.id_datasets, t.min_year, t.max_year, t.count_obs
    FROM read_back k
    JOIN {table} t
      ON t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.id_datasets = k.id_datasets
)
SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) b),
       (SELECT count(*) FROM keys);

-- name: touched_summary
SELECT count(*) FILTER (WHERE inserted AND count_obs <> 0),
       count(*) FILTER (WHERE NOT inserted AND count_obs <> 0),
       count(*) FILTER (WHERE count_obs = 0)
FROM touched_dataset_counts;

-- name: full_mismatches
-- The whole table against production's own query, on the same snapshot: mismatched rows,
-- rows compared.
WITH recount AS (
    SELECT r.fid, r.type::text AS type, o.id_taxa_obs, o.id_datasets,
           min(o.year_obs) AS min_year, max(o.year_obs) AS max_year,
           count(o.id)::integer AS count_obs
    FROM public.regions r
    JOIN (SELECT DISTINCT type, scale FROM atlas_api.regions_zoom_lookup) z
      ON z.type = r.type AND z.scale = r.scale
    JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    GROUP BY r.fid, r.type, o.id_taxa_obs, o.id_datasets
),
stored AS (
    SELECT fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs FROM {table}
)
SELECT (SELECT count(*) FROM (SELECT * FROM recount EXCEPT ALL SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM recount) b),
       (SELECT count(*) FROM stored);
