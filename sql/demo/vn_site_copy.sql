-- A copy of the fake VisioNature site ({site}) written into Client-API-VN's JSON tables
-- ({target}) the way transfer_vn's StorePostgresql writes what the API answers (Client-API-VN
-- 2.12.0, src/export_vn/store_postgresql.py), for the initial copies of the demo, the tests
-- and the benchmark (a real --full stores about a thousand rows a second):
-- - observations_json: id = observers[0].id_sighting, update_ts = observers[0].update_date or
--   else insert_date, id_form_universal from the enclosing form, and coord_x_local/
--   coord_y_local added to observers[0] (store_1_observation; vn_projection holds the
--   coordinates pyproj gives, computed by Client-API-VN's own environment);
-- - forms_json: the form without its sightings, plus date_start/date_stop (the days of its
--   sightings, date.fromtimestamp: transfer_vn's local time, %(utc_offset)s here), @uid
--   (its first sighting's observer) and local coordinates (_store_observation, _store_form);
-- - places_json and local_admin_units_json: the item plus local coordinates
--   (_store_geometry); territorial_units_json, taxo_groups_json: the item (_store_simple).
-- Upserts follow transfer_vn's rules: an observation only by a newer update_ts, the rest
-- always. maint_assets_tests/vn_sync/test_vn_site_copy.py checks the result against a real --full.

-- name: projection_table
CREATE TEMP TABLE IF NOT EXISTS vn_projection (
    lon text, lat text, x jsonb NOT NULL, y jsonb NOT NULL, PRIMARY KEY (lon, lat)
);

-- name: points
SELECT DISTINCT lon, lat FROM (
    SELECT item #>> '{{observers,0,coord_lon}}' AS lon, item #>> '{{observers,0,coord_lat}}' AS lat
    FROM {site}.sightings WHERE site = ANY(%(sites)s)
    UNION SELECT item ->> 'lon', item ->> 'lat' FROM {site}.forms WHERE site = ANY(%(sites)s)
    UNION SELECT item ->> 'coord_lon', item ->> 'coord_lat' FROM {site}.places
          WHERE site = ANY(%(sites)s)
    UNION SELECT item ->> 'coord_lon', item ->> 'coord_lat' FROM {site}.local_admin_units
          WHERE site = ANY(%(sites)s)
) p
WHERE lon IS NOT NULL AND lat IS NOT NULL
  AND NOT EXISTS (SELECT FROM vn_projection v WHERE v.lon = p.lon AND v.lat = p.lat);

-- name: add_projection
INSERT INTO vn_projection (lon, lat, x, y) VALUES (%s, %s, %s::jsonb, %s::jsonb)
ON CONFLICT DO NOTHING;

-- name: copy_observations
INSERT INTO {target}.observations_json (id, site, item, update_ts, id_form_universal)
SELECT s.id, s.site,
       jsonb_set(jsonb_set(s.item, '{{observers,0,coord_x_local}}', p.x),
                 '{{observers,0,coord_y_local}}', p.y),
       coalesce(s.item #>> '{{observers,0,update_date}}',
                s.item #>> '{{observers,0,insert_date}}')::integer,
       f.item ->> 'id_form_universal'
FROM {site}.sightings s
JOIN vn_projection p ON p.lon = s.item #>> '{{observers,0,coord_lon}}'
                    AND p.lat = s.item #>> '{{observers,0,coord_lat}}'
LEFT JOIN {site}.forms f ON f.site = s.site AND f.id = s.id_form
WHERE s.site = ANY(%(sites)s) AND NOT s.deleted
  AND (%(ids)s::integer[] IS NULL OR s.id = ANY(%(ids)s::integer[]))
ON CONFLICT (id, site) DO UPDATE
SET update_ts = excluded.update_ts, item = excluded.item,
    id_form_universal = excluded.id_form_universal
WHERE observations_json.update_ts < excluded.update_ts;

-- name: copy_forms
INSERT INTO {target}.forms_json (id, site, item)
SELECT f.id, f.site,
       f.item || jsonb_build_object('date_start', s.first_day::text, 'date_stop',
                                    s.last_day::text, '@uid', s.uid)
              || CASE WHEN p.x IS NULL THEN '{{}}'::jsonb
                      ELSE jsonb_build_object('coord_x_local', p.x, 'coord_y_local', p.y) END
FROM {site}.forms f
JOIN LATERAL (
    SELECT min(d.day) AS first_day, max(d.day) AS last_day,
           (array_agg(x.item #>> '{{observers,0,@uid}}' ORDER BY x.id))[1] AS uid
    FROM {site}.sightings x
    CROSS JOIN LATERAL (SELECT (to_timestamp((x.item #>> '{{date,@timestamp}}')::bigint)
                                AT TIME ZONE 'UTC' + %(utc_offset)s::interval)::date AS day) d
    WHERE x.site = f.site AND x.id_form = f.id AND NOT x.deleted
      AND (%(ids)s::integer[] IS NULL OR x.id = ANY(%(ids)s::integer[]))
) s ON s.uid IS NOT NULL
LEFT JOIN vn_projection p ON p.lon = f.item ->> 'lon' AND p.lat = f.item ->> 'lat'
WHERE f.site = ANY(%(sites)s)
ON CONFLICT (id, site) DO UPDATE SET item = excluded.item;

-- name: copy_geometry
INSERT INTO {target}.{table} (id, site, item)
SELECT g.id, g.site,
       g.item || jsonb_build_object('coord_x_local', p.x, 'coord_y_local', p.y)
FROM {site}.{source} g
JOIN vn_projection p ON p.lon = g.item ->> 'coord_lon' AND p.lat = g.item ->> 'coord_lat'
WHERE g.site = ANY(%(sites)s) AND NOT coalesce((to_jsonb(g) ->> 'deleted')::boolean, false)
ON CONFLICT (id, site) DO UPDATE SET item = excluded.item;

-- name: copy_simple
INSERT INTO {target}.{table} (id, site, item)
SELECT g.id, g.site, g.item FROM {site}.{source} g WHERE g.site = ANY(%(sites)s)
ON CONFLICT (id, site) DO UPDATE SET item = excluded.item;
