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

-- name: zoom_levels
-- The 15 counted levels of production's zoom lookup (part of its public-data dump, not of
-- its schema), when the lookup is empty.
INSERT INTO atlas_api.regions_zoom_lookup (type, scale, zoom, name_en, name_fr, show_sensitive,
                                           scale_desc_fr, scale_desc_en)
SELECT v.* FROM (VALUES
    ('admin', 1, 4, 'Province', 'Province', true, 'Province', 'Province'),
    ('admin', 2, 5, 'Administrative region', 'Région administrative', true, 'Région administrative', 'Administrative region'),
    ('admin', 3, 7, 'Regional county municipality', 'MRC', false, 'MRC', 'Regional county municipality'),
    ('admin', 4, 10, 'Municipality', 'Municipalité', false, 'Municipalité', 'Municipality'),
    ('hex', 250, 4, 'Hexagon 250 km', 'Hexagone 250 km', true, 'Hexagone 250 km', 'Hexagon 250 km'),
    ('hex', 100, 5, 'Hexagon 100 km', 'Hexagone 100 km', true, 'Hexagone 100 km', 'Hexagon 100 km'),
    ('hex', 50, 6, 'Hexagon 50 km', 'Hexagone 50 km', false, 'Hexagone 50 km', 'Hexagon 50 km'),
    ('hex', 20, 7, 'Hexagon 20 km', 'Hexagone 20 km', false, 'Hexagone 20 km', 'Hexagon 20 km'),
    ('hex', 10, 9, 'Hexagon 10 km', 'Hexagone 10 km', false, 'Hexagone 10 km', 'Hexagon 10 km'),
    ('hex', 5, 10, 'Hexagon 5 km', 'Hexagone 5 km', false, 'Hexagone 5 km', 'Hexagon 5 km'),
    ('cadre_eco', 1, 5, 'Natural province', 'Province naturelle', true, 'Province naturelle', 'Natural province'),
    ('cadre_eco', 2, 6, 'Natural region', 'Région naturelle', false, 'Région naturelle', 'Natural region'),
    ('cadre_eco', 3, 7, 'Physiographic set', 'Ensemble physiographique', false, 'Ensemble physiographique', 'Physiographic set'),
    ('cadre_eco', 4, 9, 'Topographic set', 'Ensemble topographique', false, 'Ensemble topographique', 'Topographic set'),
    ('protected', 1, 8, 'Protected area', 'Aire protégée', false, 'Aire protégée', 'Protected area')
) AS v (type, scale, zoom, name_en, name_fr, show_sensitive, scale_desc_fr, scale_desc_en)
WHERE NOT EXISTS (SELECT 1 FROM atlas_api.regions_zoom_lookup);

-- name: sensitive_scales
-- Stand-in rows (production's are not public): the finest scales the zoom lookup shows
-- sensitive taxa at.
INSERT INTO atlas_api.sensitive_taxa_max_scale (type, scale)
SELECT v.* FROM (VALUES ('admin', 2), ('hex', 100)) AS v (type, scale)
WHERE NOT EXISTS (SELECT 1 FROM atlas_api.sensitive_taxa_max_scale);

-- name: outlines
-- The regions are first drawn as coarse outlines here, then detailed (detailed_regions).
CREATE TEMP TABLE demo_outlines (
    n serial, type text, scale integer, scale_desc text, name text, geom geometry,
    record_id text
) ON COMMIT DROP;

-- name: province
-- The mainland outline and two islands (Anticosti, Îles-de-la-Madeleine).
INSERT INTO demo_outlines (type, scale, scale_desc, name, geom, record_id)
VALUES ('admin', 1, 'Province', 'Québec', ST_Multi(ST_GeomFromText(
    'MULTIPOLYGON(((-74.5 45.0, -75.8 45.4, -77.2 45.8, -78.9 46.5, -79.5 47.5, -79.5 51.5,
              -78.8 52.5, -78.6 54.5, -77.0 55.5, -76.6 56.5, -77.5 58.5, -77.8 60.8,
              -78.2 62.3, -75.0 62.2, -72.0 61.6, -70.0 61.0, -69.5 59.0, -67.5 58.3,
              -65.0 59.8, -64.5 60.3, -63.8 58.0, -64.3 56.5, -66.5 55.0, -67.8 54.5,
              -67.0 53.0, -63.8 52.0, -57.1 52.0, -57.1 51.4, -60.0 50.2, -64.0 50.2,
              -66.5 50.0, -64.2 48.9, -66.3 48.0, -67.8 47.1, -69.2 47.4, -70.0 46.2,
              -70.8 45.3, -71.5 45.0, -74.5 45.0)),
      ((-64.5 49.85, -63.6 49.75, -61.7 49.4, -61.7 49.05, -62.3 49.1, -63.6 49.3, -64.5 49.85)),
      ((-62.0 47.2, -61.6 47.6, -61.4 47.65, -61.7 47.25, -62.0 47.2)))', 4326)),
    'province');

-- name: shrink_province
-- A smaller province around Montréal (the tests'): the same shape, as many admin and
-- ecological regions, hexagons of the same sizes (so fewer of them), and fewer 1/8 degree
-- cells to cut (their number grows with the area).
UPDATE demo_outlines
SET geom = ST_Scale(geom, ST_MakePoint(%(size)s, %(size)s), ST_MakePoint(-73.6, 45.5));

-- name: subdivide
-- Voronoi cells of points scattered in each parent region, clipped to the parent, so every
-- level nests in the one above it (done in lon/lat, the regions' own SRID).
WITH parent AS (
    SELECT n, geom AS g, sum(ST_Area(geom)) OVER () AS total, ST_Area(geom) AS area
    FROM demo_outlines
    WHERE type = %(parent_type)s AND scale = %(parent_scale)s
),
seeds AS (
    SELECT n, g, ST_GeneratePoints(g, greatest(2, round(%(count)s * area / total))::integer,
                                   %(seed)s + n) AS pts
    FROM parent
),
cells AS (
    SELECT n, g, (ST_Dump(ST_VoronoiPolygons(pts, 0, g))).geom AS cell FROM seeds
),
clipped AS (
    SELECT row_number() OVER (ORDER BY n, ST_XMin(cell), ST_YMin(cell)) AS i,
           ST_Multi(ST_CollectionExtract(ST_Intersection(cell, g), 3)) AS geom
    FROM cells
)
INSERT INTO demo_outlines (type, scale, scale_desc, name, geom, record_id)
SELECT %(type)s::text, %(scale)s::integer, %(scale_desc)s::text, %(prefix)s::text || ' ' || i,
       geom, %(type)s::text || '-' || %(scale)s::text || '-' || i
FROM clipped
WHERE NOT ST_IsEmpty(geom);

-- name: protected_areas
WITH province AS MATERIALIZED (
    SELECT ST_Transform(geom, 32198) AS g FROM demo_outlines WHERE type = 'admin' AND scale = 1
),
centres AS (
    SELECT (ST_Dump(ST_GeneratePoints(ST_Buffer(g, -20000), %(count)s, %(seed)s))).geom AS c, g
    FROM province
),
shapes AS (
    SELECT row_number() OVER (ORDER BY ST_X(c), ST_Y(c)) AS i,
           ST_Intersection(ST_Scale(ST_Buffer(c, 1000, 8),
                                    ST_MakePoint(2 + 8 * abs(sin(ST_X(c))), 2 + 8 * abs(cos(ST_Y(c)))),
                                    c),
                           g) AS geom
    FROM centres
)
INSERT INTO demo_outlines (type, scale, scale_desc, name, geom, record_id)
SELECT 'protected', 1, 'Aire protégée', 'Réserve ' || i,
       ST_Multi(ST_Transform(ST_CollectionExtract(geom, 3), 4326)), 'protected-' || i
FROM shapes;

-- name: detailed_regions
-- Real boundaries (coastlines, rivers, surveyed lines) have tens of thousands of vertices
-- per region: each outline is cut into short segments whose ends are then
-- moved by one smooth displacement field (five octaves of sines, wavelengths 0.8 to 0.013
-- degrees). The field is the same for every region and small enough never to fold, so
-- neighbours stay neighbours and the levels still nest (to within a chord's sag).
WITH points AS (
    SELECT o.n, d.path, ST_X(d.geom) AS x, ST_Y(d.geom) AS y
    FROM demo_outlines o, ST_DumpPoints(ST_Segmentize(o.geom, %(spacing)s)) d
    WHERE (o.type = 'protected') = %(protected)s
),
moved AS (
    SELECT n, path[1] AS part, path[2] AS ring, path[3] AS i,
           x + 0.021 * sin(8 * (0.8 * x + 0.6 * y) + 1.3)
             + 0.0056 * sin(23 * (0.3 * x - 0.95 * y) + 0.4)
             + 0.00175 * sin(61 * (0.9 * x + 0.43 * y) + 2.1)
             + 0.00056 * sin(170 * (-0.5 * x + 0.87 * y) + 0.7)
             + 0.000175 * sin(470 * (0.6 * x + 0.8 * y) + 1.9) AS x,
           y + 0.021 * sin(8 * (-0.6 * x + 0.8 * y) + 0.2)
             + 0.0056 * sin(23 * (0.95 * x + 0.3 * y) + 2.4)
             + 0.00175 * sin(61 * (-0.43 * x + 0.9 * y) + 1.1)
             + 0.00056 * sin(170 * (0.87 * x + 0.5 * y) + 2.7)
             + 0.000175 * sin(470 * (-0.8 * x + 0.6 * y) + 0.9) AS y
    FROM points
),
rings AS (
    SELECT n, part, ring, ST_MakeLine(ST_SetSRID(ST_MakePoint(x, y), 4326) ORDER BY i) AS line
    FROM moved
    GROUP BY n, part, ring
),
polygons AS (
    SELECT n, part, ST_MakePolygon((array_agg(line ORDER BY ring))[1],
                                   (array_agg(line ORDER BY ring))[2:]) AS polygon
    FROM rings
    GROUP BY n, part
),
detailed AS (
    SELECT n, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Collect(polygon ORDER BY part)), 3))
              AS geom
    FROM polygons
    GROUP BY n
)
INSERT INTO public.regions (type, scale, scale_desc, name, geom, within_quebec, source_table,
                            source_record_id)
SELECT o.type, o.scale, o.scale_desc, o.name, d.geom, true, 'demo', o.record_id
FROM demo_outlines o
JOIN detailed d USING (n)
ORDER BY o.n;

-- name: hexagons
-- Hexagons with an edge of `scale` km over the province and a 100 km band around its outline;
-- those touching the (detailed) province are flagged within_quebec, like the production
-- grids. The band is a buffer tested as a polygon, so each test is prepared once.
WITH band AS MATERIALIZED (
    SELECT ST_Buffer(ST_Transform(geom, 32198), 100000, 4) AS g
    FROM demo_outlines WHERE type = 'admin' AND scale = 1
),
province AS MATERIALIZED (
    SELECT ST_Transform(geom, 32198) AS g FROM public.regions WHERE type = 'admin' AND scale = 1
),
grid AS (
    SELECT h.geom, h.i, h.j
    FROM band, ST_HexagonGrid(%(scale)s::integer * 1000.0, band.g) AS h
    WHERE ST_Intersects(h.geom, band.g)
)
INSERT INTO public.regions (type, scale, scale_desc, name, geom, within_quebec, source_table,
                            source_record_id)
SELECT 'hex', %(scale)s::integer, 'Hexagone ' || %(scale)s::text || ' km',
       'Hex ' || %(scale)s::text || ' km ' || i || ':' || j,
       ST_Multi(ST_Transform(grid.geom, 4326)), ST_Intersects(grid.geom, province.g),
       'demo', 'hex-' || %(scale)s::text || '-' || i || '-' || j
FROM grid, province;

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
           (ARRAY['human observation', 'human observation', 'human observation',
                  'preserved specimen', 'human observation', 'material sample'])[1 + g %% 6] AS kind
) AS s;

-- name: observations
-- Points are scattered in the municipalities, more densely in the south (like the real
-- observation effort), plus a tenth outside the province. As in the real data, a quarter
-- repeat the location of a hotspot (a feeder, a trail, a survey station: many observations,
-- one point) and a tenth sit on a 0.01 degree grid (atlas squares, coordinates rounded by
-- the observer), so points on shared and exact coordinates are common. Attributes come from
-- a seeded random stream, so the same seed gives the same rows.
WITH province AS MATERIALIZED (
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
-- (ST_GeneratePoints may return one point more than asked for on detailed polygons.)
points AS (
    SELECT d.geom AS p
    FROM quotas, ST_Dump(ST_GeneratePoints(g, n::integer, %(seed)s + fid)) d
    WHERE n > 0 AND d.path[1] <= n
    UNION ALL
    SELECT d.geom
    FROM province,
         ST_Dump(ST_GeneratePoints(ST_Transform(ST_Difference(ST_Buffer(g, 150000, 4), g), 4326),
                                   %(outside)s, %(seed)s)) d
    WHERE %(outside)s > 0 AND d.path[1] <= %(outside)s
),
numbered AS (
    SELECT row_number() OVER (ORDER BY ST_X(p), ST_Y(p)) AS n, p FROM points
),
hotspots AS (
    SELECT array_agg(p ORDER BY n) AS spots
    FROM numbered WHERE n %% 400 = 7
),
taxa AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM public.taxa_obs
),
sources AS (
    SELECT array_agg(id ORDER BY id) AS ids FROM public.datasets
),
attributes AS (
    SELECT n, p, random() AS r_taxon, random() AS r_dataset, random() AS r_year,
           random() AS r_day, random() AS r_value, random() AS r_place
    FROM numbered ORDER BY n
),
placed AS (
    SELECT a.*,
           CASE WHEN a.r_place < 0.25 AND cardinality(h.spots) > 0
                THEN h.spots[1 + floor(power(a.r_place * 4, 2) * cardinality(h.spots))::integer]
                WHEN a.r_place < 0.35 THEN ST_SnapToGrid(a.p, 0.01)
                ELSE a.p END AS g
    FROM attributes a, hotspots h
)
INSERT INTO public.observations (org_id_obs, id_datasets, geom, year_obs, month_obs, day_obs,
                                 time_obs, id_variables, obs_value, id_taxa_obs, within_quebec,
                                 record_by)
SELECT 'demo-' || a.n,
       s.ids[1 + floor(power(a.r_dataset, 3) * cardinality(s.ids))::integer],
       a.g,
       2025 - floor(power(a.r_year, 2) * 55)::integer,
       1 + floor(a.r_day * 12)::integer,
       1 + floor(a.r_day * 12 * 28)::integer %% 28,
       CASE WHEN a.r_value < 0.7 THEN make_time(5 + floor(a.r_value * 20)::integer, (a.n %% 60)::integer, 0) END,
       CASE WHEN a.r_value < 0.6 THEN 1 ELSE 2 END,
       CASE WHEN a.r_value < 0.6 THEN 1 ELSE 1 + floor(a.r_value * 40) END,
       t.ids[1 + floor(power(a.r_taxon, 3) * cardinality(t.ids))::integer],
       -- the same test the insert trigger makes, done set-based (the trigger re-checks
       -- rows marked outside): points near the border land on the side the polygon says
       ST_Within(a.g, q.geom),
       'observer ' || (a.n %% 997)
FROM placed a, taxa t, sources s,
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
