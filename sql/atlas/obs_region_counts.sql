-- atlas_api.obs_region_counts: observations per region, taxon and year, for every
-- (type, scale) in the zoom lookup; an observation counts in a region when it lies within
-- it and both sit on the same side of the province border (production's rule).

-- name: build
-- Pages keep 10 % free so that incremental count updates stay on their page (HOT
-- updates: no new index entries).
CREATE TABLE {table} WITH (fillfactor = 90) AS
SELECT r.type::text AS type, r.scale, r.fid, o.id_taxa_obs, o.year_obs,
       count(o.id)::integer AS count_obs
FROM public.observations o
JOIN public.regions r ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
GROUP BY r.type, r.scale, r.fid, o.id_taxa_obs, o.year_obs;

-- name: indexes
CREATE UNIQUE INDEX obs_region_counts_type_fid_id_taxa_obs_year_obs_idx
    ON {table} (fid, id_taxa_obs, year_obs);
CREATE INDEX obs_region_counts_fid_idx ON {table} (fid);
CREATE INDEX obs_region_counts_id_taxa_obs_idx ON {table} (id_taxa_obs);
CREATE INDEX obs_region_counts_type_idx ON {table} (type);
CREATE INDEX obs_region_counts_year_obs_idx ON {table} (year_obs);
CREATE INDEX obs_region_counts_type_fid_idx ON {table} (type, fid);
CREATE INDEX obs_region_counts_type_scale_idx ON {table} (type, scale);

-- Incremental maintenance from the change log (sql/atlas/change_log.sql stages the deltas).

-- name: touched
-- The rows the deltas changed, with their new counts: empty and negative rows are found here
-- instead of by scanning the whole table.
CREATE TEMP TABLE touched_counts (
    fid integer, id_taxa_obs integer, year_obs integer, count_obs integer, inserted boolean
) ON COMMIT DROP;

-- name: apply_deltas
-- Each region is tested against the changed points (LATERAL puts the regions on the outer
-- side): a polygon tested against many points is prepared once, and probing the small
-- index of the changed points is cheap; from a thousand changes on this is several times
-- faster than looking up the regions of each point. Regions that changed are recounted
-- whole instead (recount_regions).
WITH upserted AS (
    INSERT INTO {table} AS t (type, scale, fid, id_taxa_obs, year_obs, count_obs)
    SELECT r.type::text, r.scale, r.fid, d.id_taxa_obs, d.year_obs, sum(d.sign)::integer
    FROM public.regions r
    JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
    CROSS JOIN LATERAL (
        SELECT * FROM observation_deltas d
        WHERE ST_Within(d.geom, r.geom) AND d.within_quebec = r.within_quebec
    ) d
    WHERE r.fid NOT IN (SELECT fid FROM changed_regions)
    GROUP BY r.type, r.scale, r.fid, d.id_taxa_obs, d.year_obs
    HAVING sum(d.sign) <> 0
    ON CONFLICT (fid, id_taxa_obs, year_obs) DO UPDATE SET count_obs = t.count_obs + EXCLUDED.count_obs
    RETURNING t.fid, t.id_taxa_obs, t.year_obs, t.count_obs, (xmax = 0) AS inserted
)
INSERT INTO touched_counts SELECT * FROM upserted;

-- name: drop_regions
DELETE FROM {table} WHERE fid IN (SELECT fid FROM changed_regions);

-- name: recount_regions
INSERT INTO {table} (type, scale, fid, id_taxa_obs, year_obs, count_obs)
SELECT r.type::text, r.scale, r.fid, o.id_taxa_obs, o.year_obs, count(o.id)::integer
FROM changed_regions c
JOIN public.regions r ON r.fid = c.fid
JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
GROUP BY r.type, r.scale, r.fid, o.id_taxa_obs, o.year_obs;

-- name: drop_empty
DELETE FROM {table} t
USING touched_counts k
WHERE k.count_obs = 0
  AND t.fid = k.fid AND t.id_taxa_obs = k.id_taxa_obs AND t.year_obs = k.year_obs;

-- name: sample_mismatches
-- Rows of the sampled regions that differ from a direct ST_Within recount, and rows compared.
WITH recount AS (
    SELECT r.type::text AS type, r.scale, r.fid, o.id_taxa_obs, o.year_obs, count(*)::integer AS count_obs
    FROM public.regions r
    JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    WHERE r.fid = ANY (%(fids)s)
    GROUP BY r.type, r.scale, r.fid, o.id_taxa_obs, o.year_obs
), stored AS (
    SELECT type, scale, fid, id_taxa_obs, year_obs, count_obs FROM {table} WHERE fid = ANY (%(fids)s)
)
SELECT (SELECT count(*) FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount) b),
       (SELECT count(*) FROM stored);
