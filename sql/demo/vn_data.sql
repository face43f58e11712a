-- The demo's divergences between production ({production}) and what the check copy and the
-- fake site hold (maint_assets/demo/vn_data.py picks the ids).

-- name: watermarks
-- The copies are up to date now: their next --update asks the diff from here.
INSERT INTO {schema}.increment_log (site, taxo_group, last_ts)
SELECT %(site)s, id, localtimestamp FROM {schema}.taxo_groups_json
WHERE site = %(site)s AND item ->> 'access_mode' <> 'none'
UNION ALL SELECT %(site)s, -1, localtimestamp;

-- name: window_ids
SELECT id FROM {schema}.sightings
WHERE site = %(site)s AND NOT deleted AND sighting_day >= %(since)s ORDER BY id;

-- name: missing_in_production
DELETE FROM {production}.observations_json
WHERE site = %(site)s AND id = ANY(%(missing)s::integer[]);

-- name: same_timestamp_in_production
UPDATE {production}.observations_json
SET item = jsonb_set(item, '{{observers,0,count}}',
                     to_jsonb(((item #>> '{{observers,0,count}}')::integer + 100)::text))
WHERE site = %(site)s AND id = ANY(%(same_timestamp)s::integer[]);

-- name: newer_in_production
-- The live sync stored an edit the check copy has not seen yet.
UPDATE {production}.observations_json
SET update_ts = %(now)s,
    item = jsonb_set(item, '{{observers,0,update_date}}', to_jsonb(%(now)s::text))
WHERE site = %(site)s AND id = ANY(%(newer_in_production)s::integer[]);

-- name: only_in_production
-- Sightings the live sync stored and the source deleted before the check copy saw them:
-- copies of window sightings under ids the site never had.
INSERT INTO {production}.observations_json (id, site, item, update_ts, id_form_universal)
SELECT %(first_extra)s + id, site,
       jsonb_set(item, '{{observers,0,id_sighting}}', to_jsonb((%(first_extra)s + id)::text)),
       update_ts, NULL
FROM {check}.observations_json
WHERE site = %(site)s AND id = ANY(%(extra_from)s::integer[]);

-- name: row_counts
SELECT (SELECT count(*) FROM {production}.observations_json),
       (SELECT count(*) FROM {production}.forms_json),
       (SELECT count(*) FROM {production}.places_json),
       (SELECT count(*) FROM {check}.observations_json);
