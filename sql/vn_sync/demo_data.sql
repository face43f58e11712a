-- VisioNature-like sightings for the demo, tests and benchmark. The source ({source}) plays the
-- VisioNature site; production ({production}) and the check copy ({check}) start from it with
-- the divergences a failing sync leaves. Draws come from seeded hashes, so a seed gives the
-- same data every time. Ids repeat on the two sites (the key is (id, site)).

-- name: draw_function
CREATE FUNCTION pg_temp.draw(n bigint, k integer, seed bigint) RETURNS float8
LANGUAGE sql IMMUTABLE AS
$$ SELECT (hashint8extended(n * 16 + k, seed) & 2147483647)::float8 / 2147483648 $$;

-- name: source_observations
-- A share of the sightings falls in the last window_days; the rest over the two years before.
-- Sightings of a form (a fifth of them, by groups of four ids) share its date and observer.
INSERT INTO {source}.observations_json (id, site, item, update_ts, id_form_universal)
WITH base AS (
    SELECT n, n / 2 + 1 AS id, CASE n %% 2 WHEN 0 THEN 'tst1' ELSE 'tst2' END AS site,
           (n / 2) / 4 AS grp
    FROM generate_series(0, %(rows)s - 1) AS n
), formed AS (
    SELECT b.*, pg_temp.draw(grp * 2 + n %% 2, 1, %(seed)s) < 0.2 AS in_form
    FROM base b
), drawn AS (
    SELECT f.*,
           pg_temp.draw(CASE WHEN in_form THEN -(grp * 2 + n %% 2) - 1 ELSE n END, 2,
                        %(seed)s) AS r_date,
           pg_temp.draw(n, 3, %(seed)s) AS r_place,
           pg_temp.draw(n, 4, %(seed)s) AS r_edit,
           pg_temp.draw(n, 5, %(seed)s) AS r_species
    FROM formed f
), dated AS (
    SELECT d.*,
           (floor((CASE WHEN r_date < %(window_share)s
                        THEN %(now)s - 86400 - r_date / %(window_share)s
                                               * (%(window_days)s - 1) * 86400
                        ELSE %(now)s - %(window_days)s * 86400
                             - (r_date - %(window_share)s) / (1 - %(window_share)s) * 730 * 86400
                   END) / 86400) * 86400)::bigint AS seen
    FROM drawn d
), stamped AS (
    SELECT t.*, seen + 18 * 3600 AS inserted,
           seen + 18 * 3600 + (r_edit * r_edit * least(%(now)s - seen - 18 * 3600, 30 * 86400))::bigint
               AS updated
    FROM dated t
)
SELECT id, site,
       jsonb_build_object(
           'date', jsonb_build_object('@timestamp', seen::text),
           'place', jsonb_build_object('@id', (1 + floor(r_place * %(places)s))::int::text),
           'species', jsonb_build_object('@id', (1 + floor(r_species * 4000))::int::text),
           'observers', jsonb_build_array(jsonb_build_object(
               '@id', (1 + grp %% 700)::text,
               '@uid', (10000 + grp %% 700)::text,
               'id_sighting', id::text,
               'id_universal', (site || '_' || id),
               'insert_date', inserted::text,
               'update_date', updated::text,
               'coord_lat', round((45.0 + r_place * 1.5)::numeric, 6),
               'coord_lon', round((4.0 + r_species * 2.5)::numeric, 6),
               'count', (1 + floor(r_edit * 12))::int::text,
               'estimation_code', CASE WHEN r_edit < 0.7 THEN 'EXACT_VALUE' ELSE 'MINIMUM' END,
               'atlas_code', jsonb_build_object('@id', (r_species * 19)::int::text),
               'comment', CASE WHEN r_edit > 0.9 THEN 'vu en vol' ELSE '' END))),
       updated,
       CASE WHEN in_form THEN site || '_' || grp END
FROM stamped;

-- name: source_forms
INSERT INTO {source}.forms_json (id, site, item)
SELECT (split_part(id_form_universal, '_', 2))::int, site,
       jsonb_build_object(
           '@id', split_part(id_form_universal, '_', 2),
           'id_form_universal', id_form_universal,
           '@uid', min(item #>> '{{observers,0,@uid}}'),
           'date_start', to_timestamp(min((item #>> '{{date,@timestamp}}')::bigint))::date::text,
           'date_stop', to_timestamp(max((item #>> '{{date,@timestamp}}')::bigint))::date::text,
           'time_start', '07:30:00', 'time_stop', '09:00:00',
           'full_form', '1',
           'protocol', jsonb_build_object('protocol_name', 'STOC_EPS'))
FROM {source}.observations_json
WHERE id_form_universal IS NOT NULL
GROUP BY site, id_form_universal;

-- name: source_places
INSERT INTO {source}.places_json (id, site, item)
SELECT p, site,
       jsonb_build_object(
           '@id', p::text, 'name', 'Lieu-dit ' || p, 'id_commune', (1 + p %% 300)::text,
           'coord_lat', round((45.0 + p::numeric / %(places)s * 1.5), 6),
           'coord_lon', round((4.0 + (p * 7919 %% %(places)s)::numeric / %(places)s * 2.5), 6),
           'altitude', (200 + p %% 1500)::text, 'place_type', 'place', 'is_private', '0')
FROM generate_series(1, %(places)s) AS p CROSS JOIN (VALUES ('tst1'), ('tst2')) AS s(site);

-- name: copy_table
INSERT INTO {target}.{table} SELECT * FROM {source}.{table};

-- name: missing_in_production
-- The live sync lost these (the upstream bug: the watermark moved before the download failed).
DELETE FROM {production}.observations_json
WHERE pg_temp.draw(id * 2 + (site = 'tst2')::int, 10, %(seed)s) < %(missing)s
  AND update_ts > %(now)s - %(window_days)s * 86400;

-- name: stale_in_production
-- An edit the live sync missed: production keeps the older version.
UPDATE {production}.observations_json
SET update_ts = update_ts - 86400,
    item = jsonb_set(item, '{{observers,0,count}}', '"1"')
           #- '{{observers,0,comment}}'
WHERE pg_temp.draw(id * 2 + (site = 'tst2')::int, 11, %(seed)s) < %(stale)s
  AND update_ts > %(now)s - %(window_days)s * 86400;

-- name: changed_without_new_timestamp
-- An edit that kept its update_date (invisible to a timestamp-only comparison).
UPDATE {production}.observations_json
SET item = jsonb_set(item, '{{observers,0,estimation_code}}', '"ESTIMATION"')
WHERE pg_temp.draw(id * 2 + (site = 'tst2')::int, 12, %(seed)s) < %(stale)s / 5;

-- name: newer_in_production
-- The live sync already has a newer version than the check copy: it must be kept.
UPDATE {production}.observations_json
SET update_ts = update_ts + 60,
    item = jsonb_set(item, '{{observers,0,comment}}', '"corrigé"')
WHERE pg_temp.draw(id * 2 + (site = 'tst2')::int, 13, %(seed)s) < %(stale)s / 5;

-- name: deleted_at_source
-- Deleted on VisioNature, but the live sync missed the deletion: still in production only.
DELETE FROM {table}
WHERE pg_temp.draw(id * 2 + (site = 'tst2')::int, 14, %(seed)s) < %(deleted)s
  AND (item #>> '{{date,@timestamp}}')::bigint > %(now)s - (%(window_days)s - 2) * 86400
  AND update_ts < %(now)s - 86400;

-- name: places_missing_in_production
DELETE FROM {production}.places_json WHERE id %% 97 = 5;

-- name: places_deleted_at_source
-- Places nobody observed at, removed from VisioNature since.
INSERT INTO {production}.places_json (id, site, item)
SELECT %(places)s + p, 'tst1',
       jsonb_build_object('@id', (%(places)s + p)::text, 'name', 'Ancien lieu-dit ' || p)
FROM generate_series(1, 3) AS p;

-- name: forms_without_sightings
DELETE FROM {source}.forms_json f
WHERE NOT EXISTS (SELECT FROM {source}.observations_json o
                  WHERE o.site = f.site AND o.id_form_universal = f.item ->> 'id_form_universal');

-- name: row_counts
SELECT (SELECT count(*) FROM {production}.observations_json),
       (SELECT count(*) FROM {production}.forms_json),
       (SELECT count(*) FROM {production}.places_json),
       (SELECT count(*) FROM {check}.observations_json);
