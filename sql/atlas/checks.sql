-- Asset checks of the atlas graph.

-- name: sample_regions
-- A reproducible sample of counted regions: every (type, scale) level is represented.
SELECT fid FROM (
    SELECT r.fid, row_number() OVER (PARTITION BY r.type, r.scale ORDER BY md5(r.fid::text || %(seed)s)) AS n
    FROM public.regions r
    JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
) s
WHERE n <= %(per_level)s;

-- name: recount_region_counts_mismatches
WITH recount AS (
    SELECT r.type::text AS type, r.scale, r.fid, o.id_taxa_obs, o.year_obs, count(*)::integer AS count_obs
    FROM public.regions r
    JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    WHERE r.fid = ANY (%(fids)s)
    GROUP BY r.type, r.scale, r.fid, o.id_taxa_obs, o.year_obs
), stored AS (
    SELECT type, scale, fid, id_taxa_obs, year_obs, count_obs
    FROM atlas_api.obs_region_counts WHERE fid = ANY (%(fids)s)
)
SELECT (SELECT count(*) FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount) b),
       (SELECT count(*) FROM stored);

-- name: recount_datasets_counts_mismatches
WITH recount AS (
    SELECT r.fid, r.type::text AS type, o.id_taxa_obs, o.id_datasets, min(o.year_obs) AS min_year,
           max(o.year_obs) AS max_year, count(*)::integer AS count_obs
    FROM public.regions r
    JOIN public.observations o ON ST_Within(o.geom, r.geom) AND o.within_quebec = r.within_quebec
    WHERE r.fid = ANY (%(fids)s)
    GROUP BY r.fid, r.type, o.id_taxa_obs, o.id_datasets
), stored AS (
    SELECT fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs
    FROM atlas_api.obs_regions_taxa_datasets_counts WHERE fid = ANY (%(fids)s)
)
SELECT (SELECT count(*) FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored) a)
     + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount) b),
       (SELECT count(*) FROM stored);

-- name: api_taxa_coverage
-- Every taxa_obs with an accepted, non-complex, own (not parent) match has exactly one row.
WITH resolved AS (
    SELECT DISTINCT id_taxa_obs FROM public.taxa_obs_ref_lookup
    WHERE match_type IS NOT NULL AND match_type <> 'complex' AND is_parent IS NOT TRUE
), rows AS (
    SELECT id_taxa_obs, count(*) AS n FROM api.taxa GROUP BY id_taxa_obs
)
SELECT (SELECT count(*) FROM resolved),
       (SELECT count(*) FROM resolved LEFT JOIN rows USING (id_taxa_obs) WHERE rows.n IS NULL),
       (SELECT count(*) FROM rows WHERE n > 1),
       (SELECT count(*) FROM rows WHERE id_taxa_obs NOT IN (SELECT id_taxa_obs FROM resolved));

-- name: matview_populated
SELECT ispopulated FROM pg_matviews WHERE schemaname = %(schema)s AND matviewname = %(name)s;
