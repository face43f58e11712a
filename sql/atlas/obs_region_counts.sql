-- atlas_api.obs_region_counts: observations per region, taxon and year, for every counted
-- (type, scale); an observation counts in a region when it lies within it and both sit on
-- the same side of the province border (production's rule). Made from the detail table
-- (sql/atlas/counts.sql); its definition is production's (sql/atlas/schema/45_count_tables.sql).

-- name: build
-- Pages are filled to 90 %: a count that changes later stays on its page (a HOT update, no
-- new entry in any of the seven indexes). The fillfactor option itself is then set back to
-- the live table's (production has none), so the definition is unchanged; only the pages
-- keep room, as after a VACUUM.
-- Stored by taxon and year, then region: an observation counts in a dozen regions, one of
-- each level, for its own taxon and year, so the rows one new observation changes lie on a
-- page or two instead of one page per region all over the table. A refresh after 1 000
-- inserts at 1 000 000 observations read 3.4 times fewer of its pages and wrote a third of
-- the WAL (bench/README.md, 2026-12-06). The unique index stays production's.
CREATE TABLE {table} WITH (fillfactor = 90) AS
SELECT r.type::text AS type, r.scale, d.fid, d.id_taxa_obs, d.year_obs,
       sum(d.count_obs)::integer AS count_obs
FROM {detail} d
JOIN public.regions r ON r.fid = d.fid
GROUP BY d.id_taxa_obs, d.year_obs, d.fid, r.type, r.scale
ORDER BY d.id_taxa_obs, d.year_obs, d.fid;

-- name: touched
-- The rows a refresh changed, as the upsert left them (count 0: to be deleted).
CREATE TEMP TABLE touched_region_counts (
    fid integer, id_taxa_obs integer, year_obs integer, count_obs integer, inserted boolean,
    type text, scale integer
) ON COMMIT DROP;

-- name: apply_deltas
-- The count moves by the detail's deltas summed over datasets (the detail is not read back:
-- the two are kept separately and compared by check_touched, so a wrong row in either shows).
-- In the unique index's order, so its pages are visited in turn.
WITH deltas AS (
    SELECT fid, id_taxa_obs, year_obs, sum(n)::integer AS n
    FROM detail_deltas
    GROUP BY fid, id_taxa_obs, year_obs
    HAVING sum(n) <> 0
),
upserted AS (
    INSERT INTO {table} AS t (type, scale, fid, id_taxa_obs, year_obs, count_obs)
    SELECT r.type::text, r.scale, d.fid, d.id_taxa_obs, d.year_obs, d.n
    FROM deltas d
    JOIN public.regions r ON r.fid = d.fid
    ORDER BY d.fid, d.id_taxa_obs, d.year_obs
    ON CONFLICT (fid, id_taxa_obs, year_obs) DO UPDATE SET count_obs = t.count_obs + EXCLUDED.count_obs
    RETURNING t.fid, t.id_taxa_obs, t.year_obs, t.count_obs, (xmax = 0) AS inserted,
              t.type, t.scale
)
INSERT INTO touched_region_counts SELECT * FROM upserted;

-- name: drop_empty
DELETE FROM {table} t
USING touched_region_counts k
WHERE k.count_obs = 0
  AND t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.year_obs = k.year_obs;

-- name: remove_regions
DELETE FROM {table} WHERE fid IN (SELECT fid FROM changed_regions);

-- name: add_regions
INSERT INTO {table} (type, scale, fid, id_taxa_obs, year_obs, count_obs)
SELECT r.type::text, r.scale, d.fid, d.id_taxa_obs, d.year_obs, sum(d.count_obs)::integer
FROM {detail} d
JOIN public.regions r ON r.fid = d.fid
WHERE d.fid IN (SELECT fid FROM changed_regions)
GROUP BY d.fid, d.id_taxa_obs, d.year_obs, r.type, r.scale;

-- name: check_touched
-- Every row the refresh touched (changed by deltas, or in a recounted region) against the
-- detail: mismatched rows (missing, extra or different), rows compared. A row the upsert
-- left with a count is taken as it returned it (nothing writes it after, and reading it
-- back cost about a quarter of this check); a row it left at 0 is taken as gone, because
-- drop_empty deleted exactly as many rows as the upsert left at 0 (the refresh counts them
-- and adds any difference to the mismatches; reading 35 000 such keys back after 10 000
-- updates at 1 000 000 observations cost 0.6 s); the recounted regions' rows are read back.
WITH keys AS (
    SELECT fid, id_taxa_obs, year_obs FROM touched_region_counts
    UNION
    SELECT fid, id_taxa_obs, year_obs FROM {table} WHERE fid IN (SELECT fid FROM changed_regions)
    UNION
    SELECT fid, id_taxa_obs, year_obs FROM {detail} WHERE fid IN (SELECT fid FROM changed_regions)
    ORDER BY 1, 2, 3  -- the lookups below then go through the tables in their order
),
expected AS (
    -- summed first, then labelled: one region lookup per key, not per detail row
    SELECT r.type::text AS type, r.scale, e.fid, e.id_taxa_obs, e.year_obs, e.count_obs
    FROM (
        SELECT k.fid, k.id_taxa_obs, k.year_obs, sum(d.count_obs)::integer AS count_obs
        FROM keys k
        JOIN {detail} d
          ON d.fid = k.fid AND d.id_taxa_obs = k.id_taxa_obs AND d.year_obs = k.year_obs
        GROUP BY k.fid, k.id_taxa_obs, k.year_obs
    ) e
    JOIN public.regions r ON r.fid = e.fid
),
returned AS (
    SELECT type, scale, fid, id_taxa_obs, year_obs, count_obs
    FROM touched_region_counts WHERE count_obs <> 0
),
read_back AS (
    SELECT fid, id_taxa_obs, year_obs FROM keys
    EXCEPT SELECT fid, id_taxa_obs, year_obs FROM touched_region_counts
),
stored AS (
    SELECT * FROM returned
    UNION ALL
    SELECT t.type, t.scale, t.fid, t.id_taxa_obs, t.year_obs, t.count_obs
    FROM read_back k
    JOIN {table} t ON t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.year_obs = k.year_obs
)
SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM expected) b),
       (SELECT count(*) FROM keys);

-- name: touched_summary
SELECT count(*) FILTER (WHERE inserted AND count_obs <> 0),
       count(*) FILTER (WHERE NOT inserted AND count_obs <> 0),
       count(*) FILTER (WHERE count_obs = 0)
FROM touched_region_counts;

-- name: full_mismatches
-- The whole table against production's own query, run on the same snapshot (the weekly
-- full comparison): mismatched rows, rows compared.
WITH recount AS (
    SELECT r.type::text AS type, r.scale, r.fid, o.id_taxa_obs, o.year_obs,
           count(o.id)::integer AS count_obs
    FROM public.regions r
    JOIN (SELECT DISTINCT type, scale FROM atlas_api.regions_zoom_lookup) z
      ON z.type = r.type AND z.scale = r.scale
    JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    GROUP BY r.type, r.scale, r.fid, o.id_taxa_obs, o.year_obs
),
stored AS (
    SELECT type, scale, fid, id_taxa_obs, year_obs, count_obs FROM {table}
)
SELECT (SELECT count(*) FROM (SELECT * FROM recount EXCEPT ALL SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT ALL SELECT * FROM recount) b),
       (SELECT count(*) FROM stored);
