-- The offline VisioNature stand-in: what transfer_vn would store from the site ({source}) into
-- the configured schema ({target}), with Client-API-VN's own upsert rule (a row is only
-- replaced by a strictly newer update_ts).

-- name: store_observations
-- Newest sightings first, as transfer_vn walks back in time; --full selects by sighting date,
-- --update by update time.
INSERT INTO {target}.observations_json (id, site, item, update_ts, id_form_universal)
SELECT id, site, item, update_ts, id_form_universal
FROM {source}.observations_json
WHERE CASE WHEN %(by_date)s THEN (item #>> %(date_path)s)::bigint ELSE update_ts END >= %(since)s
ORDER BY (item #>> %(date_path)s)::bigint DESC
LIMIT %(limit)s
ON CONFLICT (id, site) DO UPDATE
SET update_ts = excluded.update_ts, item = excluded.item,
    id_form_universal = excluded.id_form_universal
WHERE observations_json.update_ts < excluded.update_ts;

-- name: store_forms
INSERT INTO {target}.forms_json (id, site, item)
SELECT f.id, f.site, f.item FROM {source}.forms_json f
WHERE EXISTS (SELECT FROM {target}.observations_json o
              WHERE o.site = f.site AND o.id_form_universal = f.item ->> 'id_form_universal')
ON CONFLICT (id, site) DO UPDATE SET item = excluded.item;

-- name: store_places
INSERT INTO {target}.places_json (id, site, item)
SELECT id, site, item FROM {source}.places_json
ON CONFLICT (id, site) DO UPDATE SET item = excluded.item;

-- name: watermark
INSERT INTO {target}.increment_log (site, taxo_group, last_ts)
SELECT DISTINCT site, 1, now() FROM {source}.observations_json
ON CONFLICT (site, taxo_group) DO UPDATE SET last_ts = excluded.last_ts;

-- name: last_watermark
SELECT coalesce(extract(epoch FROM min(last_ts))::bigint, 0) FROM {target}.increment_log;
