-- A Québec-like demo atlas: a province outline, nested admin and ecological regions (Voronoi
-- cells clipped to their parent), hexagon grids, protected areas, datasets, and observations
-- generated set-based. Distances (hexagon sizes, buffers) use EPSG:32198 (Québec Lambert, metres).

-- name: reset
TRUNCATE public.observations, public.obs_efforts, public.efforts, public.variables,
         public.datasets, public.regions, public.taxa_obs, public.taxa_ref,
         public.taxa_obs_ref_lookup, public.taxa_vernacular, public.taxa_obs_vernacular_lookup,
         maint_assets.taxa_obs_resolution, maint_assets.taxa_ref_vernacular_resolution,
         maint_assets.taxa_ref_vernacular
RESTART IDENTITY CASCADE;
DELETE FROM public.taxa_group_members
WHERE short IN (SELECT short FROM public.taxa_groups WHERE level = 2);

-- name: province
INSERT INTO public.regions (type, scale, scale_desc, name, geom, within_quebec, source_table,
                            source_record_id)
VALUES ('admin', 1, 'Province', 'Québec', ST_Multi(ST_GeomFromText(
    'POLYGON((-74.5 45.0, -75.8 45.4, -77.2 45.8, -78.9 46.5, -79.5 47.5, -79.5 51.5,
              -78.8 52.5, -78.6 54.5, -77.0 55.5, -76.6 56.5, -77.5 58.5, -77.8 60.8,
              -78.2 62.3, -75.0 62.2, -72.0 61.6, -70.0 61.0, -69.5 59.0, -67.5 58.3,
              -65.0 59.8, -64.5 60.3, -63.8 58.0, -64.3 56.5, -66.5 55.0, -67.8 54.5,
              -67.0 53.0, -63.8 52.0, -57.1 52.0, -57.1 51.4, -60.0 50.2, -64.0 50.2,
              -66.5 50.0, -64.2 48.9, -66.3 48.0, -67.8 47.1, -69.2 47.4, -70.0 46.2,
              -70.8 45.3, -71.5 45.0, -74.5 45.0))', 4326)),
    true, 'demo', 'province');

-- name: subdivide
-- Voronoi cells of points scattered in each parent region, clipped to the parent, so every
-- level nests exactly in the one above it (done in lon/lat, the regions' own SRID).
WITH parent AS (
    SELECT fid, geom AS g, sum(ST_Area(geom)) OVER () AS total, ST_Area(geom) AS area
    FROM public.regions
    WHERE type = %(parent_type)s AND scale = %(parent_scale)s
),
seeds AS (
    SELECT fid, g, ST_GeneratePoints(g, greatest(2, round(%(count)s * area / total))::integer,
                                     %(seed)s + fid) AS pts
    FROM parent
),
cells AS (
    SELECT fid, g, (ST_Dump(ST_VoronoiPolygons(pts, 0, g))).geom AS cell FROM seeds
),
clipped AS (
    SELECT row_number() OVER (ORDER BY fid, ST_XMin(cell), ST_YMin(cell)) AS n,
           ST_Multi(ST_CollectionExtract(ST_Intersection(cell, g), 3)) AS geom
    FROM cells
)
INSERT INTO public.regions (type, scale, scale_desc, name, geom, within_quebec, source_table,
                            source_record_id)
SELECT %(type)s::text, %(scale)s::integer, %(scale_desc)s::text, %(prefix)s::text || ' ' || n,
       geom, true, 'demo', %(type)s::text || '-' || %(scale)s::text || '-' || n
FROM clipped
WHERE NOT ST_IsEmpty(geom);

-- name: hexagons
-- Hexagons with an edge of `scale` km over the province and a 100 km band around it; those
-- touching the province are flagged within_quebec, like the production grids.
WITH province AS (
    SELECT ST_Transform(geom, 32198) AS g FROM public.regions WHERE type = 'admin' AND scale = 1
),
grid AS (
    SELECT h.geom, h.i, h.j
    FROM province, ST_HexagonGrid(%(scale)s::integer * 1000.0, ST_Expand(province.g, 100000)) AS h
    WHERE ST_DWithin(h.geom, province.g, 100000)
)
INSERT INTO public.regions (type, scale, scale_desc, name, geom, within_quebec, source_table,
                            source_record_id)
SELECT 'hex', %(scale)s::integer, 'Hexagone ' || %(scale)s::text || ' km',
       'Hex ' || %(scale)s::text || ' km ' || i || ':' || j,
       ST_Multi(ST_Transform(grid.geom, 4326)), ST_Intersects(grid.geom, province.g),
       'demo', 'hex-' || %(scale)s::text || '-' || i || '-' || j
FROM grid, province;

-- name: protected_areas
WITH province AS (
    SELECT ST_Transform(geom, 32198) AS g FROM public.regions WHERE type = 'admin' AND scale = 1
),
centres AS (
    SELECT (ST_Dump(ST_GeneratePoints(ST_Buffer(g, -20000), %(count)s, %(seed)s))).geom AS c, g
    FROM province
),
shapes AS (
    SELECT row_number() OVER (ORDER BY ST_X(c), ST_Y(c)) AS n,
           ST_Intersection(ST_Scale(ST_Buffer(c, 1000, 8),
                                    ST_MakePoint(2 + 8 * abs(sin(ST_X(c))), 2 + 8 * abs(cos(ST_Y(c)))),
                                    c),
                           g) AS geom
    FROM centres
)
INSERT INTO public.regions (type, scale, scale_desc, name, geom, within_quebec, source_table,
                            source_record_id)
SELECT 'protected', 1, 'Aire protégée', 'Réserve ' || n,
       ST_Multi(ST_Transform(ST_CollectionExtract(geom, 3), 4326)), true, 'demo', 'protected-' || n
FROM shapes;

-- name: reference_rows
INSERT INTO public.variables (name, unit, description) VALUES
    ('occurrence', '', 'Presence of the taxon'),
    ('abundance', 'individuals', 'Number of individuals counted'),
    ('presence', '', 'Presence or absence'),
    ('sampling duration', 'minutes', 'Time spent sampling'),
    ('coordinate uncertainty', 'm', 'Radius of the location uncertainty');
INSERT INTO public.efforts (id_variables, effort_value)
SELECT 4, v FROM generate_series(5, 240, 5) AS v;

-- name: datasets
INSERT INTO public.datasets (original_source, org_dataset_id, creator, title, publisher, modified,
                             keywords, type_sampling, type_obs, license, open_data, exhaustive,
                             direct_obs)
SELECT s.source, 'demo-' || g, 'Demo creator ' || g, s.title || ' ' || g, s.publisher,
       date '2024-01-01' - g * 17, ARRAY['biodiversité', s.keyword], s.sampling,
       s.kind::public.type_observation, 'CC-BY 4.0', g %% 5 <> 0, g %% 3 = 0, true
FROM generate_series(1, %(count)s) AS g
CROSS JOIN LATERAL (
    SELECT (ARRAY['eBird', 'iNaturalist', 'Atlas des Oiseaux Nicheurs du Québec', 'CDPNQ',
                  'Inventaire forestier', 'Pêches scientifiques'])[1 + g %% 6] AS source,
           (ARRAY['eBird Basic Dataset', 'Observations iNaturalist', 'Atlas des Oiseaux Nicheurs',
                  'Occurrences CDPNQ', 'Placettes-échantillons', 'Inventaire ichtyologique'])[1 + g %% 6] AS title,
           (ARRAY['Cornell Lab', 'iNaturalist', 'Regroupement QuébecOiseaux', 'MELCCFP',
                  'MRNF', 'MELCCFP'])[1 + g %% 6] AS publisher,
           (ARRAY['oiseaux', 'science citoyenne', 'oiseaux nicheurs', 'espèces en péril',
                  'forêt', 'poissons'])[1 + g %% 6] AS keyword,
           (ARRAY['checklist', 'opportunistic', 'atlas square', 'survey', 'plot', 'net'])[1 + g %% 6] AS sampling,
           (ARRAY['presence', 'occurrence', 'abundance', 'presence', 'abundance', 'abundance'])[1 + g %% 6] AS kind
) AS s;

-- name: observations
-- Points are scattered in the municipalities, more densely in the south (like the real
-- observation effort), plus a tenth outside the province; attributes come from a seeded
-- random stream, so the same seed gives the same rows.
WITH province AS (
    SELECT ST_Transform(geom, 32198) AS g FROM public.regions WHERE type = 'admin' AND scale = 1
),
weights AS (
    SELECT fid, geom AS g,
           ST_Area(geom) * exp(-(ST_Y(ST_Centroid(geom)) - 45) / 2.5) AS w
    FROM public.regions WHERE type = 'admin' AND scale = 4
),
shares AS (
    SELECT fid, g, floor(%(inside)s * w / sum(w) OVER ())::integer AS n,
           row_number() OVER (ORDER BY w DESC, fid) AS rank
    FROM weights
),
quotas AS (
    SELECT fid, g, n + CASE WHEN rank = 1 THEN %(inside)s - sum(n) OVER () ELSE 0 END AS n
    FROM shares
),
points AS (
    SELECT (ST_Dump(ST_GeneratePoints(g, n::integer, %(seed)s + fid))).geom AS p, true AS inside
    FROM quotas WHERE n > 0
    UNION ALL
    SELECT (ST_Dump(ST_GeneratePoints(
               ST_Transform(ST_Difference(ST_Buffer(g, 150000, 4), g), 4326), %(outside)s,
               %(seed)s))).geom, false
    FROM province WHERE %(outside)s > 0
),
numbered AS (
    SELECT row_number() OVER (ORDER BY ST_X(p), ST_Y(p)) AS n, p, inside FROM points
),
taxa AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM public.taxa_obs
),
sources AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM public.datasets
),
attributes AS (
    SELECT n, p, inside, random() AS r_taxon, random() AS r_dataset, random() AS r_year,
           random() AS r_day, random() AS r_value
    FROM numbered ORDER BY n
)
INSERT INTO public.observations (org_id_obs, id_datasets, geom, year_obs, month_obs, day_obs,
                                 time_obs, id_variables, obs_value, id_taxa_obs, within_quebec,
                                 record_by)
SELECT 'demo-' || a.n,
       s.ids[1 + floor(a.r_dataset * cardinality(s.ids))::integer],
       a.p,
       2025 - floor(power(a.r_year, 2) * 55)::integer,
       1 + floor(a.r_day * 12)::integer,
       1 + floor(a.r_day * 12 * 28)::integer %% 28,
       CASE WHEN a.r_value < 0.7 THEN make_time(5 + floor(a.r_value * 20)::integer, (a.n %% 60)::integer, 0) END,
       CASE WHEN a.r_value < 0.6 THEN 1 ELSE 2 END,
       CASE WHEN a.r_value < 0.6 THEN 1 ELSE 1 + floor(a.r_value * 40) END,
       t.ids[1 + floor(power(a.r_taxon, 3) * cardinality(t.ids))::integer],
       -- the same test the insert trigger makes, done set-based (the trigger re-checks
       -- rows marked outside): points near the border land on the side the polygon says
       ST_Within(a.p, q.geom),
       'observer ' || (a.n %% 997)
FROM attributes a, taxa t, sources s,
     (SELECT geom FROM public.regions WHERE type = 'admin' AND scale = 1) q;

-- name: seed_random
SELECT setseed(%(fraction)s);

-- name: obs_efforts
INSERT INTO public.obs_efforts (id_obs, id_efforts)
SELECT o.id, (SELECT min(id) FROM public.efforts) + (o.id % (SELECT count(*) FROM public.efforts))
FROM public.observations o
JOIN public.datasets d ON d.id = o.id_datasets
WHERE d.type_sampling IN ('checklist', 'survey', 'net');

-- name: analyze
ANALYZE public.regions;
ANALYZE public.observations;
ANALYZE public.taxa_obs;
ANALYZE public.obs_efforts;

-- name: loaded
SELECT EXISTS (SELECT 1 FROM public.observations), EXISTS (SELECT 1 FROM public.regions);
