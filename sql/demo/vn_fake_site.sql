-- The fake VisioNature site's data (maint_assets/demo/vn_fake_api.py serves it): one schema
-- ({schema}) holding each site's items in the shapes the Biolovision API returns them, with
-- what the API filters on extracted into generated columns. Test and demo code.
--
-- The site's calendar is UTC: a sighting's date.@timestamp is midnight UTC of its day, and
-- the search's date_from/date_to (dd.mm.YYYY) are UTC days.

-- name: create
DROP SCHEMA IF EXISTS {schema} CASCADE;
CREATE SCHEMA {schema};
CREATE TABLE {schema}.taxo_groups (
    site text NOT NULL, id integer NOT NULL, item jsonb NOT NULL, PRIMARY KEY (site, id)
);
CREATE TABLE {schema}.territorial_units (
    site text NOT NULL, id integer NOT NULL, item jsonb NOT NULL, PRIMARY KEY (site, id),
    -- what observations/search's territorial_unit_ids names: id_country || short_name
    code text GENERATED ALWAYS AS ((item ->> 'id_country') || (item ->> 'short_name')) STORED
);
CREATE TABLE {schema}.local_admin_units (
    site text NOT NULL, id integer NOT NULL, item jsonb NOT NULL, PRIMARY KEY (site, id),
    id_canton integer GENERATED ALWAYS AS ((item ->> 'id_canton')::integer) STORED
);
CREATE TABLE {schema}.places (
    site text NOT NULL, id integer NOT NULL, item jsonb NOT NULL, PRIMARY KEY (site, id),
    id_commune integer GENERATED ALWAYS AS ((item ->> 'id_commune')::integer) STORED,
    modified_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    deleted boolean NOT NULL DEFAULT false
);
-- A form's own keys; its sightings are the sightings rows with its id.
CREATE TABLE {schema}.forms (
    site text NOT NULL, id integer NOT NULL, item jsonb NOT NULL, PRIMARY KEY (site, id)
);
CREATE TABLE {schema}.sightings (
    site text NOT NULL, id integer NOT NULL, item jsonb NOT NULL, PRIMARY KEY (site, id),
    id_form integer,
    taxo_group integer GENERATED ALWAYS AS ((item #>> '{{species,taxonomy}}')::integer) STORED,
    id_place integer GENERATED ALWAYS AS ((item #>> '{{place,@id}}')::integer) STORED,
    sighting_day date GENERATED ALWAYS AS (
        (to_timestamp((item #>> '{{date,@timestamp}}')::bigint) AT TIME ZONE 'UTC')::date) STORED,
    entry_day date GENERATED ALWAYS AS (
        (to_timestamp((item #>> '{{observers,0,insert_date}}')::bigint) AT TIME ZONE 'UTC')::date
    ) STORED,
    -- what observations/diff reports: changed (or deleted) since a date
    modified_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    deleted boolean NOT NULL DEFAULT false
);
CREATE INDEX ON {schema}.sightings (site, taxo_group, sighting_day);
CREATE INDEX ON {schema}.sightings (site, modified_at);
CREATE INDEX ON {schema}.sightings (site, id_form) WHERE id_form IS NOT NULL;
-- Faults a test injects, per site: drop (sighting ids observations/search leaves out),
-- truncate (at most this many sightings per search answer), lose_diff (sighting ids
-- observations/diff does not report), fail (an endpoint answering this HTTP status).
CREATE TABLE {schema}.faults (site text NOT NULL, kind text NOT NULL, value jsonb NOT NULL);

-- name: search
-- observations/search: one taxo group, one territorial unit, a range of days by sighting or
-- entry date; sightings of a form are answered inside it, as the API does.
WITH hits AS (
    SELECT s.id, s.id_form, s.item
    FROM {schema}.sightings s
    JOIN {schema}.places p ON p.site = s.site AND p.id = s.id_place
    JOIN {schema}.local_admin_units l ON l.site = s.site AND l.id = p.id_commune
    JOIN {schema}.territorial_units t ON t.site = s.site AND t.id = l.id_canton
    WHERE s.site = %(site)s AND NOT s.deleted AND s.taxo_group = %(taxo_group)s
      AND (%(units)s::text[] IS NULL OR t.code = ANY(%(units)s::text[]))
      AND CASE WHEN %(entry)s THEN s.entry_day ELSE s.sighting_day END
          BETWEEN %(date_from)s AND %(date_to)s
      AND s.id <> ALL(%(dropped)s::integer[])
    ORDER BY s.id
    LIMIT %(limit)s
)
SELECT jsonb_build_object('data', jsonb_build_object(
    'sightings', coalesce((SELECT jsonb_agg(item ORDER BY id) FROM hits WHERE id_form IS NULL),
                          '[]'::jsonb),
    'forms', coalesce((SELECT jsonb_agg(f.item || jsonb_build_object('sightings', h.sightings)
                                        ORDER BY f.id)
                       FROM (SELECT id_form, jsonb_agg(item ORDER BY id) AS sightings
                             FROM hits WHERE id_form IS NOT NULL GROUP BY id_form) h
                       JOIN {schema}.forms f ON f.site = %(site)s AND f.id = h.id_form),
                      '[]'::jsonb)))::text;

-- name: sightings_by_id
-- observations?id_sightings_list=…: what --update fetches again after a diff.
WITH hits AS (
    SELECT s.id, s.id_form, s.item FROM {schema}.sightings s
    WHERE s.site = %(site)s AND NOT s.deleted AND s.id = ANY(%(ids)s::integer[])
)
SELECT jsonb_build_object('data', jsonb_build_object(
    'sightings', coalesce((SELECT jsonb_agg(item ORDER BY id) FROM hits WHERE id_form IS NULL),
                          '[]'::jsonb),
    'forms', coalesce((SELECT jsonb_agg(f.item || jsonb_build_object('sightings', h.sightings)
                                        ORDER BY f.id)
                       FROM (SELECT id_form, jsonb_agg(item ORDER BY id) AS sightings
                             FROM hits WHERE id_form IS NOT NULL GROUP BY id_form) h
                       JOIN {schema}.forms f ON f.site = %(site)s AND f.id = h.id_form),
                      '[]'::jsonb)))::text;

-- name: observation_diff
-- observations/diff: every sighting of the group changed or deleted since the date.
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id_sighting', id::text,
           'id_universal', item #>> '{{observers,0,id_universal}}',
           'modification_type', CASE WHEN deleted THEN 'deleted' ELSE 'updated' END)
         ORDER BY modified_at, id), '[]'::jsonb)::text
FROM {schema}.sightings
WHERE site = %(site)s AND taxo_group = %(taxo_group)s AND modified_at >= %(since)s
  AND id <> ALL(%(lost)s::integer[]);

-- name: place_diff
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'id_place', id::text,
           'modification_type', CASE WHEN deleted THEN 'deleted' ELSE 'updated' END)
         ORDER BY modified_at, id), '[]'::jsonb)::text
FROM {schema}.places WHERE site = %(site)s AND modified_at >= %(since)s;

-- name: places
SELECT jsonb_build_object('data', coalesce(jsonb_agg(item ORDER BY id), '[]'::jsonb))::text
FROM {schema}.places
WHERE site = %(site)s AND NOT deleted
  AND (%(id_commune)s::integer IS NULL OR id_commune = %(id_commune)s::integer)
  AND (%(id)s::integer IS NULL OR id = %(id)s::integer);

-- name: local_admin_units
SELECT jsonb_build_object('data', coalesce(jsonb_agg(item ORDER BY id), '[]'::jsonb))::text
FROM {schema}.local_admin_units
WHERE site = %(site)s AND (%(id_canton)s::integer IS NULL OR id_canton = %(id_canton)s::integer);

-- name: territorial_units
SELECT jsonb_build_object('data', coalesce(jsonb_agg(item ORDER BY id), '[]'::jsonb))::text
FROM {schema}.territorial_units WHERE site = %(site)s;

-- name: taxo_groups
SELECT jsonb_build_object('data', coalesce(jsonb_agg(item ORDER BY id), '[]'::jsonb))::text
FROM {schema}.taxo_groups WHERE site = %(site)s;

-- name: faults
SELECT kind, value FROM {schema}.faults WHERE site = %(site)s;

-- name: upsert_form
INSERT INTO {schema}.forms (site, id, item) VALUES (%(site)s, %(id)s, %(item)s)
ON CONFLICT (site, id) DO UPDATE SET item = excluded.item;

-- name: insert_sighting
INSERT INTO {schema}.sightings (site, id, id_form, item)
VALUES (%(site)s, %(id)s, %(form)s, %(item)s);

-- name: update_sighting
UPDATE {schema}.sightings SET item = %(item)s, modified_at = clock_timestamp()
WHERE site = %(site)s AND id = %(id)s AND NOT deleted;

-- name: delete_sighting
-- The site keeps a tombstone: observations/diff reports the deletion.
UPDATE {schema}.sightings SET deleted = true, modified_at = clock_timestamp()
WHERE site = %(site)s AND id = %(id)s;

-- name: update_place
UPDATE {schema}.places SET item = %(item)s, modified_at = clock_timestamp()
WHERE site = %(site)s AND id = %(id)s;

-- name: date_places_long_ago
-- Further back than the diff reaches (10 weeks).
UPDATE {schema}.places SET modified_at = now() - interval '1 year' WHERE site = %(site)s;

-- name: delete_place
UPDATE {schema}.places SET deleted = true, modified_at = clock_timestamp()
WHERE site = %(site)s AND id = %(id)s;

-- name: set_fault
INSERT INTO {schema}.faults (site, kind, value) VALUES (%(site)s, %(kind)s, %(value)s);

-- name: clear_faults
DELETE FROM {schema}.faults WHERE site = %(site)s;

-- name: spend_fault
-- A fail_once fault answered: the next call of that endpoint succeeds.
UPDATE {schema}.faults SET value = value - %(call)s
WHERE site = %(site)s AND kind = 'fail_once';
