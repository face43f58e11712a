-- Materialized views maintained by the atlas assets. They are created empty; the assets
-- populate them (plainly the first time, CONCURRENTLY afterwards where a unique index allows).

-- The runbook's "taxa_groups" view: which groups each taxa_obs belongs to.
CREATE MATERIALIZED VIEW IF NOT EXISTS public.taxa_obs_group_lookup AS
WITH level_1_2_lookup AS (
    SELECT lu.id_taxa_obs, g.id AS id_group, g.short AS short_group
    FROM public.taxa_group_members m
    JOIN public.taxa_groups g USING (short)
    JOIN public.taxa_ref r ON r.scientific_name = m.scientific_name
    JOIN public.taxa_obs_ref_lookup lu ON lu.id_taxa_ref = r.id
    WHERE g.level IN (1, 2)
),
all_species AS (
    SELECT DISTINCT o.id_taxa_obs, g.id AS id_group, g.short AS short_group
    FROM observations_partitions.within_quebec o
    CROSS JOIN public.taxa_groups g
    WHERE g.level = 0
),
level_3_lookup AS (
    SELECT l.id_taxa_obs, g.id AS id_group, g.short AS short_group
    FROM level_1_2_lookup l
    JOIN public.taxa_groups g ON g.level = 3 AND l.short_group = ANY (g.groups_within)
)
SELECT id_taxa_obs, id_group, short_group FROM level_1_2_lookup
UNION
SELECT id_taxa_obs, id_group, short_group FROM all_species
UNION
SELECT id_taxa_obs, id_group, short_group FROM level_3_lookup
WITH NO DATA;
CREATE INDEX IF NOT EXISTS taxa_obs_group_lookup_id_taxa_obs_idx ON public.taxa_obs_group_lookup (id_taxa_obs);
CREATE INDEX IF NOT EXISTS taxa_obs_group_lookup_id_group_idx ON public.taxa_obs_group_lookup (id_group);
CREATE INDEX IF NOT EXISTS taxa_obs_group_lookup_short_group_idx ON public.taxa_obs_group_lookup (short_group);

-- One row per resolved taxa_obs: the best valid reference, vernacular names and group.
CREATE MATERIALIZED VIEW IF NOT EXISTS api.taxa AS
WITH all_ref AS (
    SELECT lu.id_taxa_obs, lu.match_type, r.scientific_name, r.rank, r.source_name,
           r.source_id, r.source_record_id, r.valid,
           coalesce(s.source_priority, 9999) AS source_priority
    FROM public.taxa_obs_ref_lookup lu
    JOIN public.taxa_ref r ON r.id = lu.id_taxa_ref_valid
    LEFT JOIN api.taxa_ref_sources s ON s.source_id = r.source_id
    WHERE lu.match_type IS NOT NULL AND lu.match_type <> 'complex' AND lu.is_parent IS NOT TRUE
),
best_ref AS (
    SELECT DISTINCT ON (id_taxa_obs) id_taxa_obs, scientific_name, rank
    FROM all_ref
    ORDER BY id_taxa_obs, source_priority, scientific_name
),
agg_ref AS (
    SELECT id_taxa_obs,
           json_agg(json_build_object(
               'source_name', source_name, 'source_id', source_id,
               'source_record_id', source_record_id, 'valid', valid, 'match_type', match_type)
               ORDER BY source_priority, source_record_id) AS source_references
    FROM all_ref
    GROUP BY id_taxa_obs
),
obs_group AS (
    SELECT DISTINCT ON (gl.id_taxa_obs) gl.id_taxa_obs, g.vernacular_en, g.vernacular_fr
    FROM public.taxa_obs_group_lookup gl
    JOIN public.taxa_groups g ON g.id = gl.id_group
    WHERE g.level = 1
    ORDER BY gl.id_taxa_obs, g.id
),
vernacular_all AS (
    SELECT vl.id_taxa_obs, v.name, v.language, v.source_name, vl.match_type, vl.rank_order,
           coalesce(vs.source_priority, 9999) AS source_priority
    FROM public.taxa_obs_vernacular_lookup vl
    JOIN public.taxa_vernacular v ON v.id = vl.id_taxa_vernacular
    LEFT JOIN api.taxa_vernacular_sources vs ON vs.source_name = v.source_name
    WHERE vl.match_type IS DISTINCT FROM 'parent'
),
vernacular_group AS (
    SELECT id_taxa_obs,
           (array_agg(name ORDER BY rank_order DESC, source_priority, name)
               FILTER (WHERE language = 'eng'))[1] AS vernacular_en,
           (array_agg(name ORDER BY rank_order DESC, source_priority, name)
               FILTER (WHERE language = 'fra'))[1] AS vernacular_fr,
           json_agg(json_build_object('name', name, 'language', language,
                                      'source', source_name, 'rank_order', rank_order)
               ORDER BY language, source_priority, name) AS vernacular
    FROM vernacular_all
    GROUP BY id_taxa_obs
)
SELECT b.id_taxa_obs,
       o.scientific_name AS observed_scientific_name,
       b.scientific_name AS valid_scientific_name,
       b.rank,
       vg.vernacular_en,
       vg.vernacular_fr,
       coalesce(og.vernacular_en, 'Others') AS group_en,
       coalesce(og.vernacular_fr, 'Autres') AS group_fr,
       vg.vernacular,
       ar.source_references
FROM best_ref b
JOIN public.taxa_obs o ON o.id = b.id_taxa_obs
LEFT JOIN agg_ref ar ON ar.id_taxa_obs = b.id_taxa_obs
LEFT JOIN obs_group og ON og.id_taxa_obs = b.id_taxa_obs
LEFT JOIN vernacular_group vg ON vg.id_taxa_obs = b.id_taxa_obs
WITH NO DATA;
CREATE INDEX IF NOT EXISTS taxa_observed_scientific_name_idx ON api.taxa (observed_scientific_name);
CREATE INDEX IF NOT EXISTS taxa_rank_idx ON api.taxa (rank);
CREATE INDEX IF NOT EXISTS taxa_valid_scientific_name_idx ON api.taxa (valid_scientific_name);

-- Region outlines simplified for the zoom level each (type, scale) is shown at, production's
-- definition: the tolerance (degrees) halves per zoom step, 0.17578 at zoom 3 to 0.00137 at
-- zoom 10, rounded to five decimals; other zooms have no outline.
CREATE MATERIALIZED VIEW IF NOT EXISTS atlas_api.web_regions AS
SELECT regions.fid,
       regions.type,
       regions.scale,
       CASE
           WHEN regions_zoom_lookup.zoom = 3 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.17578::double precision), 4326)))
           WHEN regions_zoom_lookup.zoom = 4 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.08789::double precision), 4326)))
           WHEN regions_zoom_lookup.zoom = 5 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.04395::double precision), 4326)))
           WHEN regions_zoom_lookup.zoom = 6 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.02197::double precision), 4326)))
           WHEN regions_zoom_lookup.zoom = 7 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.01099::double precision), 4326)))
           WHEN regions_zoom_lookup.zoom = 8 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.00549::double precision), 4326)))
           WHEN regions_zoom_lookup.zoom = 9 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.00274::double precision), 4326)))
           WHEN regions_zoom_lookup.zoom = 10 THEN ST_ForcePolygonCCW(ST_MakeValid(ST_Transform(ST_SimplifyPreserveTopology(regions.geom, 0.00137::double precision), 4326)))
           ELSE NULL::geometry
       END AS geom
FROM public.regions
JOIN atlas_api.regions_zoom_lookup
  ON regions.type::text = regions_zoom_lookup.type AND regions.scale = regions_zoom_lookup.scale
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS web_regions_fid_idx ON atlas_api.web_regions (fid);
CREATE INDEX IF NOT EXISTS web_regions_geom_idx ON atlas_api.web_regions USING gist (geom);
CREATE INDEX IF NOT EXISTS web_regions_type_idx ON atlas_api.web_regions (type);
CREATE INDEX IF NOT EXISTS web_regions_scale_idx ON atlas_api.web_regions (scale);
CREATE INDEX IF NOT EXISTS web_regions_type_scale_idx ON atlas_api.web_regions (type, scale);
