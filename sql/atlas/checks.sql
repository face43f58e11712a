-- Asset checks of the atlas graph (the count tables verify a sample of regions inside their
-- own refresh transaction: see sample_mismatches in their SQL files).

-- name: sample_regions
-- A sample of counted regions, a few per (type, scale) level, reproducible from the seed.
-- Regions larger than the bound are left out: recounting the whole province (or a hexagon of
-- 250 km) would cost as much as a rebuild, and the counting logic is the same at every level.
SELECT fid FROM (
    SELECT r.fid,
           row_number() OVER (PARTITION BY r.type, r.scale
                              ORDER BY hashint4(r.fid # hashtext(%(seed)s))) AS n
    FROM public.regions r
    JOIN atlas_api.regions_zoom_lookup z ON z.type = r.type AND z.scale = r.scale
    WHERE r.area_km2 <= %(max_area_km2)s
) s
WHERE n <= %(per_level)s;

-- name: api_taxa_coverage
-- Every taxa_obs with a lookup row api.taxa takes a name from (production's definition: a
-- match type other than 'complex') has exactly one row, and no other taxa_obs has one.
WITH resolved AS (
    SELECT DISTINCT id_taxa_obs FROM public.taxa_obs_ref_lookup
    WHERE match_type IS NOT NULL AND match_type <> 'complex'
), rows AS (
    SELECT id_taxa_obs, count(*) AS n FROM api.taxa GROUP BY id_taxa_obs
)
SELECT (SELECT count(*) FROM resolved),
       (SELECT count(*) FROM resolved LEFT JOIN rows USING (id_taxa_obs) WHERE rows.n IS NULL),
       (SELECT count(*) FROM rows WHERE n > 1),
       (SELECT count(*) FROM rows WHERE id_taxa_obs NOT IN (SELECT id_taxa_obs FROM resolved));

-- name: matview_populated
SELECT ispopulated FROM pg_matviews WHERE schemaname = %(schema)s AND matviewname = %(name)s;
