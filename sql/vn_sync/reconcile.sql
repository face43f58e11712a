-- Reconciling one copy of Client-API-VN's JSON tables ({source}) into another ({target}),
-- keyed by (id, site): the window download into the check copy, then the check copy into
-- production. One temp table of changes per table; only its rows are written, so unchanged
-- rows never fire the target's row triggers (GeoNature's, in production).
--
-- Deletions are judged only where the source is known complete: sightings dated from
-- %(deletions_from)s and not updated since %(download_started)s (a row the download started
-- before may be missing from it for that reason alone).

-- name: observation_changes
-- Items are checked only where they would be written: a malformed row that already matches
-- the target changes nothing, and checking all of them would triple the cost of the scan.
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
SELECT s.id, s.site,
       CASE WHEN NOT coalesce(jsonb_typeof(s.item) = 'object'
                              AND s.item #>> '{{observers,0,id_sighting}}' = s.id::text
                              AND s.item #>> '{{date,@timestamp}}' ~ '^[0-9]+$', false)
                 THEN 'malformed'
            WHEN t.id IS NULL THEN 'insert'
            WHEN s.update_ts < t.update_ts THEN 'target_newer'
            ELSE 'update' END AS action
FROM {source}.observations_json s
LEFT JOIN {target}.observations_json t ON t.id = s.id AND t.site = s.site
WHERE t.id IS NULL OR s.update_ts <> t.update_ts OR s.item <> t.item
   OR s.id_form_universal IS DISTINCT FROM t.id_form_universal
UNION ALL
SELECT t.id, t.site, 'delete'
FROM {target}.observations_json t
WHERE CASE WHEN t.item #>> %(date_path)s ~ '^[0-9]+$'
           THEN (t.item #>> %(date_path)s)::bigint END >= %(deletions_from)s
  AND t.update_ts < %(download_started)s
  AND NOT EXISTS (SELECT FROM {source}.observations_json s WHERE s.id = t.id AND s.site = t.site);

-- name: observation_window_rows
SELECT count(*) FROM {target}.observations_json t
WHERE CASE WHEN t.item #>> %(date_path)s ~ '^[0-9]+$'
           THEN (t.item #>> %(date_path)s)::bigint END >= %(deletions_from)s
  AND t.update_ts < %(download_started)s;

-- name: form_changes
-- A form is deleted only when no observation of the target still belongs to it: the source
-- sync removes sightings but never their form (Client-API-VN's delete_obs).
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
SELECT s.id, s.site,
       CASE WHEN NOT coalesce(jsonb_typeof(s.item) = 'object' AND s.item ->> '@id' = s.id::text
                              AND s.item ->> 'date_start' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$', false)
                 THEN 'malformed'
            WHEN t.id IS NULL THEN 'insert'
            ELSE 'update' END AS action
FROM {source}.forms_json s
LEFT JOIN {target}.forms_json t ON t.id = s.id AND t.site = s.site
WHERE t.id IS NULL OR s.item <> t.item
UNION ALL
SELECT t.id, t.site, 'delete'
FROM {target}.forms_json t
WHERE CASE WHEN t.item ->> 'date_start' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
           THEN (t.item ->> 'date_start')::date END >= to_timestamp(%(deletions_from)s)::date
  AND NOT EXISTS (SELECT FROM {source}.forms_json s WHERE s.id = t.id AND s.site = t.site)
  AND NOT EXISTS (SELECT FROM {target}.observations_json o
                  WHERE o.site = t.site AND o.id_form_universal = t.item ->> 'id_form_universal');

-- name: form_window_rows
SELECT count(*) FROM {target}.forms_json t
WHERE CASE WHEN t.item ->> 'date_start' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
           THEN (t.item ->> 'date_start')::date END >= to_timestamp(%(deletions_from)s)::date;

-- name: place_changes
-- Places are downloaded whole, so every place is in the window; one that an observation of
-- the target still points to is never deleted. The places observations point to are collected
-- in one scan (a lookup per candidate would scan every observation's item each time).
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
WITH referenced AS MATERIALIZED (
    SELECT DISTINCT site, item #>> '{{place,@id}}' AS place FROM {target}.observations_json
)
SELECT s.id, s.site,
       CASE WHEN NOT coalesce(jsonb_typeof(s.item) = 'object' AND s.item ->> '@id' = s.id::text,
                              false)
                 THEN 'malformed'
            WHEN t.id IS NULL THEN 'insert'
            ELSE 'update' END AS action
FROM {source}.places_json s
LEFT JOIN {target}.places_json t ON t.id = s.id AND t.site = s.site
WHERE t.id IS NULL OR s.item <> t.item
UNION ALL
SELECT t.id, t.site, 'delete'
FROM {target}.places_json t
WHERE NOT EXISTS (SELECT FROM {source}.places_json s WHERE s.id = t.id AND s.site = t.site)
  AND NOT EXISTS (SELECT FROM referenced r WHERE r.site = t.site AND r.place = t.id::text);

-- name: place_window_rows
SELECT count(*) FROM {target}.places_json;

-- name: change_counts
SELECT action, count(*) FROM vn_changes GROUP BY action;

-- name: malformed_keys
SELECT id, site FROM vn_changes WHERE action = 'malformed' ORDER BY site, id LIMIT 20;

-- name: insert_observations
-- DO NOTHING: the live sync may have stored the row since the changes were computed, and
-- its version is at least as new.
INSERT INTO {target}.observations_json (id, site, item, update_ts, id_form_universal)
SELECT s.id, s.site, s.item, s.update_ts, s.id_form_universal
FROM vn_changes c JOIN {source}.observations_json s ON s.id = c.id AND s.site = c.site
WHERE c.action = 'insert'
ON CONFLICT (id, site) DO NOTHING;

-- name: update_observations
-- The update_ts test is evaluated again on the row's latest version (READ COMMITTED), so a
-- newer version stored meanwhile by the live sync is never overwritten.
UPDATE {target}.observations_json t
SET item = s.item, update_ts = s.update_ts, id_form_universal = s.id_form_universal
FROM vn_changes c JOIN {source}.observations_json s ON s.id = c.id AND s.site = c.site
WHERE c.action = 'update' AND t.id = c.id AND t.site = c.site AND t.update_ts <= s.update_ts;

-- name: delete_observations
DELETE FROM {target}.observations_json t USING vn_changes c
WHERE c.action = 'delete' AND t.id = c.id AND t.site = c.site
  AND t.update_ts < %(download_started)s;

-- name: insert_items
INSERT INTO {target}.{table} (id, site, item)
SELECT s.id, s.site, s.item
FROM vn_changes c JOIN {source}.{table} s ON s.id = c.id AND s.site = c.site
WHERE c.action = 'insert'
ON CONFLICT (id, site) DO NOTHING;

-- name: update_items
UPDATE {target}.{table} t SET item = s.item
FROM vn_changes c JOIN {source}.{table} s ON s.id = c.id AND s.site = c.site
WHERE c.action = 'update' AND t.id = c.id AND t.site = c.site AND t.item <> s.item;

-- name: delete_items
DELETE FROM {target}.{table} t USING vn_changes c
WHERE c.action = 'delete' AND t.id = c.id AND t.site = c.site;

-- name: drop_changes
DROP TABLE vn_changes;

-- name: record_action
INSERT INTO dbadmin.monitoring_vn_check_to_prod (action, count, table_name, run_id)
VALUES (%(action)s, %(count)s, %(table_name)s, %(run_id)s);

-- name: latest_window
SELECT window_start, deletions_from, download_started, type_date, tables, run_id, finished_at
FROM maint_assets.vn_check_windows
WHERE check_schema = %(check_schema)s
ORDER BY finished_at DESC, id DESC
LIMIT 1;

-- name: record_window
INSERT INTO maint_assets.vn_check_windows
    (check_schema, window_start, deletions_from, download_started, type_date, tables, run_id)
VALUES (%(check_schema)s, %(window_start)s, %(deletions_from)s, %(download_started)s,
        %(type_date)s, %(tables)s, %(run_id)s);

-- name: missing_tables
SELECT s || '.' || t
FROM unnest(%(schemas)s::text[]) AS s CROSS JOIN unnest(%(tables)s::text[]) AS t
WHERE to_regclass(format('%%I.%%I', s, t)) IS NULL
ORDER BY 1;
