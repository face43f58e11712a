-- Materialized views maintained by the atlas assets. They are created empty; the assets
-- populate them (plainly the first time, CONCURRENTLY afterwards where a unique index allows).

-- The runbook's "taxa_groups" view: which groups each taxa_obs belongs to. Defined as in
-- production: a name joins a group when any of its reference records (its own or an
-- ancestor's) bears a member name; the LEFT JOINs keep member names nothing matched, with a
-- NULL id_taxa_obs (api.taxa_groups filters them out).
CREATE MATERIALIZED VIEW IF NOT EXISTS public.taxa_obs_group_lookup AS
WITH level_1_2_lookup AS (
    SELECT DISTINCT group_m.short, obs_lookup.id_taxa_obs, taxa_groups.id AS id_group
    FROM public.taxa_group_members group_m
    JOIN public.taxa_groups USING (short)
    LEFT JOIN public.taxa_ref ON group_m.scientific_name = taxa_ref.scientific_name
    LEFT JOIN public.taxa_obs_ref_lookup obs_lookup ON taxa_ref.id = obs_lookup.id_taxa_ref
    WHERE taxa_groups.level = ANY (ARRAY[1, 2])
)
SELECT level_1_2_lookup.id_taxa_obs, level_1_2_lookup.id_group,
       level_1_2_lookup.short AS short_group
FROM level_1_2_lookup
UNION
SELECT DISTINCT ON (within_quebec.id_taxa_obs) within_quebec.id_taxa_obs,
       taxa_groups.id AS id_group, taxa_groups.short AS short_group
FROM observations_partitions.within_quebec, public.taxa_groups
WHERE taxa_groups.level = 0
UNION
SELECT level_1_2_lookup.id_taxa_obs, level_3_groups.id AS id_group,
       level_3_groups.short AS short_group
FROM public.taxa_groups level_3_groups, level_1_2_lookup
WHERE level_3_groups.level = 3
  AND level_1_2_lookup.short::text = ANY (level_3_groups.groups_within)
WITH NO DATA;
CREATE INDEX IF NOT EXISTS taxa_obs_group_lookup_id_taxa_obs_idx ON public.taxa_obs_group_lookup (id_taxa_obs);
CREATE INDEX IF NOT EXISTS taxa_obs_group_lookup_id_group_idx ON public.taxa_obs_group_lookup (id_group);
CREATE INDEX IF NOT EXISTS taxa_obs_group_lookup_short_group_idx ON public.taxa_obs_group_lookup (short_group);

-- One row per taxa_obs with a match: the valid name of its best-priority source, its
-- vernacular names and level-1 group. Defined as in production (2024-01 schema dump): every
-- lookup row whose match_type is set, except 'complex', competes for the valid name, so
-- ancestors must carry none; vernacular names are ranked by the link's match_type ('exact'
-- before 'parent'), then the name's rank_order and source priority.
CREATE MATERIALIZED VIEW IF NOT EXISTS api.taxa AS
WITH all_ref AS (
    SELECT obs_lookup.id_taxa_obs, taxa_ref.scientific_name AS valid_scientific_name,
           taxa_ref.rank, taxa_ref.source_name,
           COALESCE(taxa_ref_sources.source_priority, 9999) AS source_priority,
           taxa_ref.source_record_id AS source_taxon_key
    FROM public.taxa_obs_ref_lookup obs_lookup
    LEFT JOIN public.taxa_ref ON obs_lookup.id_taxa_ref_valid = taxa_ref.id
    LEFT JOIN api.taxa_ref_sources USING (source_id)
    WHERE obs_lookup.match_type IS NOT NULL AND obs_lookup.match_type <> 'complex'::text
    ORDER BY obs_lookup.id_taxa_obs, COALESCE(taxa_ref_sources.source_priority, 9999)
), agg_ref AS (
    SELECT all_ref.id_taxa_obs,
           json_agg(json_build_object('source_name', all_ref.source_name,
                                      'valid_scientific_name', all_ref.valid_scientific_name,
                                      'rank', all_ref.rank,
                                      'source_taxon_key', all_ref.source_taxon_key))
               AS source_references
    FROM all_ref
    GROUP BY all_ref.id_taxa_obs
), best_ref AS (
    SELECT DISTINCT ON (all_ref.id_taxa_obs) all_ref.id_taxa_obs, all_ref.valid_scientific_name,
           all_ref.rank
    FROM all_ref
    ORDER BY all_ref.id_taxa_obs, all_ref.source_priority
), obs_group AS (
    SELECT DISTINCT ON (group_lookup.id_taxa_obs) group_lookup.id_taxa_obs,
           COALESCE(taxa_groups.vernacular_en, 'others'::text) AS group_en,
           COALESCE(taxa_groups.vernacular_fr, 'autres'::text) AS group_fr
    FROM public.taxa_obs_group_lookup group_lookup
    LEFT JOIN public.taxa_groups ON group_lookup.id_group = taxa_groups.id
    WHERE taxa_groups.level = 1
), vernacular_all AS (
    SELECT v_lookup.id_taxa_obs, taxa_vernacular.id, taxa_vernacular.source_name,
           taxa_vernacular.source_record_id, taxa_vernacular.name, taxa_vernacular.language,
           taxa_vernacular.created_at, taxa_vernacular.modified_at, taxa_vernacular.modified_by,
           taxa_vernacular.rank, taxa_vernacular.rank_order,
           COALESCE(taxa_vernacular_sources.source_priority, 9999) AS source_priority,
           v_lookup.match_type, COALESCE(taxa_vernacular.rank_order, '-1'::integer) AS rank_order
    FROM public.taxa_obs_vernacular_lookup v_lookup
    LEFT JOIN public.taxa_vernacular ON v_lookup.id_taxa_vernacular = taxa_vernacular.id
    LEFT JOIN api.taxa_vernacular_sources USING (source_name)
    WHERE v_lookup.match_type IS NOT NULL AND v_lookup.match_type <> 'complex'::text
    ORDER BY v_lookup.id_taxa_obs, v_lookup.match_type, taxa_vernacular.rank_order DESC,
             COALESCE(taxa_vernacular_sources.source_priority, 9999)
), best_vernacular AS (
    SELECT ver_en.id_taxa_obs, ver_en.name AS vernacular_en, ver_fr.name AS vernacular_fr
    FROM (SELECT DISTINCT ON (vernacular_all.id_taxa_obs) vernacular_all.id_taxa_obs,
                 vernacular_all.name
          FROM vernacular_all
          WHERE vernacular_all.language = 'eng'::text) ver_en
    LEFT JOIN (SELECT DISTINCT ON (vernacular_all.id_taxa_obs) vernacular_all.id_taxa_obs,
                      vernacular_all.name
               FROM vernacular_all
               WHERE vernacular_all.language = 'fra'::text) ver_fr
           ON ver_en.id_taxa_obs = ver_fr.id_taxa_obs
), vernacular_group AS (
    SELECT vernacular_all.id_taxa_obs,
           json_agg(json_build_object('name', vernacular_all.name,
                                      'source', vernacular_all.source_name,
                                      'source_taxon_key', vernacular_all.source_record_id,
                                      'language', vernacular_all.language)) AS vernacular
    FROM vernacular_all
    GROUP BY vernacular_all.id_taxa_obs
)
SELECT best_ref.id_taxa_obs, taxa_obs.scientific_name AS observed_scientific_name,
       best_ref.valid_scientific_name, best_ref.rank, best_vernacular.vernacular_en,
       best_vernacular.vernacular_fr, obs_group.group_en, obs_group.group_fr,
       vernacular_group.vernacular, agg_ref.source_references
FROM best_ref
LEFT JOIN public.taxa_obs ON taxa_obs.id = best_ref.id_taxa_obs
LEFT JOIN vernacular_group ON best_ref.id_taxa_obs = vernacular_group.id_taxa_obs
LEFT JOIN obs_group ON best_ref.id_taxa_obs = obs_group.id_taxa_obs
LEFT JOIN best_vernacular ON best_ref.id_taxa_obs = best_vernacular.id_taxa_obs
LEFT JOIN agg_ref ON best_ref.id_taxa_obs = agg_ref.id_taxa_obs
ORDER BY best_ref.id_taxa_obs, best_vernacular.vernacular_en
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
