-- What a download provably covered, from transfer_vn's own records: each observations/search
-- answer it stored is a line of {log}.download_log (Observations._store_search logs it after
-- the store, so a crashed slice has none), naming the site, the taxo group, the territorial
-- unit (id_country || short_name), the first day and the number of days of the slice. The
-- message is translated by gettext: English and French (the package's only catalogue) are read.

-- name: record_window
INSERT INTO maint_assets.vn_windows
    (check_schema, mode, type_date, download_started, confirmed_at, tables, last_log_id, run_id,
     fetched_xid)
VALUES (%(check_schema)s, %(mode)s, %(type_date)s, %(download_started)s, %(confirmed_at)s,
        %(tables)s, %(last_log_id)s, %(run_id)s, %(fetched_xid)s)
RETURNING id;

-- name: record_slices
INSERT INTO maint_assets.vn_window_slices
    (window_id, site, taxo_group, territorial_unit, first_day, last_day, rows)
SELECT %(window_id)s, l.site, m[2]::integer, m[3], to_date(m[4], 'DD/MM/YYYY'),
       to_date(m[4], 'DD/MM/YYYY') + m[5]::integer, m[1]::integer
FROM {log}.download_log l
CROSS JOIN LATERAL regexp_match(l.comment,
    '=> Iter ?: [0-9]+, ([0-9]+) obs, taxo_group ?: ([0-9]+), territorial_unit ?: ([^,]+), '
    'date ?: ([0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}}), interval[a-z]* ?: ([0-9]+)$') AS m
WHERE l.controler = 'observations' AND l.id > %(after_log_id)s AND m IS NOT NULL;

-- name: slices_per_site
SELECT site, count(*), min(first_day), max(last_day), sum(rows)
FROM maint_assets.vn_window_slices WHERE window_id = %(window_id)s
GROUP BY site ORDER BY site;

-- name: last_log_id
SELECT coalesce(max(id), 0) FROM {log}.download_log;

-- name: log_started
-- When the logged --full began: its first observations/search answer's time less that
-- answer's duration (microseconds); download_ts is the database's local time. Only the
-- search lines record_slices reads: an --update logs its fetches under the same controler
-- ("Creating or updating n observations"), and the operator's daily ones since the last
-- adoption would put the start days before the --full, so that a deletion made in between
-- would never be refuted by it.
SELECT extract(epoch FROM min(download_ts - make_interval(secs => coalesce(duration, 0) / 1e6))
                        AT TIME ZONE current_setting('TimeZone'))::bigint
FROM {log}.download_log
WHERE controler = 'observations' AND id > %(after_log_id)s
  AND comment ~ ('=> Iter ?: [0-9]+, ([0-9]+) obs, taxo_group ?: ([0-9]+), '
                 'territorial_unit ?: ([^,]+), date ?: ([0-9]{{2}}/[0-9]{{2}}/[0-9]{{4}}), '
                 'interval[a-z]* ?: ([0-9]+)$');

-- name: record_places
-- Each place's territorial unit: place.id_commune -> local_admin_units.id_canton ->
-- territorial_units (the chain Client-API-VN's tests/sql/observations_places.sql joins),
-- from what the window downloaded ({ref}) or else what the check copy ({check}) holds:
-- transfer_vn downloads no place at all when territorial_unit_ids is set and a unit's
-- short_name differs from its id (Places.store compares the short name with id_canton).
INSERT INTO maint_assets.vn_window_places
    (window_id, site, place, territorial_unit, downloaded)
WITH places AS (
    SELECT DISTINCT ON (site, id) site, id, item, fresh FROM (
        SELECT site, id, item, true AS fresh FROM {ref}.places_json
        UNION ALL SELECT site, id, item, false FROM {check}.places_json) p
    ORDER BY site, id, fresh DESC
), units AS (
    SELECT DISTINCT ON (site, id) site, id, item FROM (
        SELECT site, id, item, true AS fresh FROM {ref}.local_admin_units_json
        UNION ALL SELECT site, id, item, false FROM {check}.local_admin_units_json) l
    ORDER BY site, id, fresh DESC
), territories AS (
    SELECT DISTINCT ON (site, id) site, id, item FROM (
        SELECT site, id, item, true AS fresh FROM {ref}.territorial_units_json
        UNION ALL SELECT site, id, item, false FROM {check}.territorial_units_json) t
    ORDER BY site, id, fresh DESC
)
SELECT %(window_id)s, p.site, p.id, (t.item ->> 'id_country') || (t.item ->> 'short_name'),
       p.fresh
FROM places p
JOIN units l ON l.site = p.site AND l.id::text = p.item ->> 'id_commune'
JOIN territories t ON t.site = l.site AND t.id::text = l.item ->> 'id_canton'
WHERE p.site = ANY(%(sites)s);

-- name: record_place_sites
-- What the places download covered, from its download_log lines (DownloadVn.store logs one per
-- places list answer, "Iteration <n>, opt_params = <its query>", translated like the search's):
-- the whole site when it asked without a query, else each commune it asked for. With
-- territorial_unit_ids, Places.store asks for the places of each commune whose id_canton is
-- listed (and of no other), so a place of another unit was not downloaded: a deletion signal
-- on it is not confirmed by its absence. A diff poll's lines ("Creating or updating 1 place",
-- an adopted check copy's --update) and an HTTP error's cover nothing.
INSERT INTO maint_assets.vn_window_place_sites (window_id, site)
SELECT DISTINCT %(window_id)s, site FROM {log}.download_log
WHERE controler = 'places' AND id > %(after_log_id)s AND site = ANY(%(sites)s)
  AND comment ~ '^It[eé]ration [0-9]+, opt_params = None$';

-- name: record_place_communes
INSERT INTO maint_assets.vn_window_place_communes (window_id, site, commune)
SELECT DISTINCT %(window_id)s, l.site, m[1] FROM {log}.download_log l
CROSS JOIN LATERAL regexp_match(l.comment,
    '^It[eé]ration [0-9]+, opt_params = \{{''id_commune'': ''?([0-9]+)''?[,}}]') AS m
WHERE l.controler = 'places' AND l.id > %(after_log_id)s AND l.site = ANY(%(sites)s)
  AND m IS NOT NULL;

-- name: sites_without_places
-- The sites (of %(sites)s) whose places the window's download asked for nowhere: neither the
-- whole site nor a single commune.
SELECT u.site FROM unnest(%(sites)s::text[]) AS u (site)
WHERE NOT EXISTS (SELECT FROM maint_assets.vn_window_place_sites s
                  WHERE s.window_id = %(window_id)s AND s.site = u.site)
  AND NOT EXISTS (SELECT FROM maint_assets.vn_window_place_communes c
                  WHERE c.window_id = %(window_id)s AND c.site = u.site)
ORDER BY u.site;

-- name: latest_window
SELECT id, mode, type_date, download_started, confirmed_at, tables, run_id, fetched_xid
FROM maint_assets.vn_windows WHERE check_schema = %(check_schema)s
ORDER BY id DESC LIMIT 1;

-- name: adopted_log_id
SELECT coalesce(max(last_log_id), 0) FROM maint_assets.vn_windows
WHERE check_schema = %(check_schema)s AND mode = 'adopt';

-- name: forget_old_windows
-- The two latest windows are kept (the repair reads the latest; the one before explains it).
DELETE FROM maint_assets.vn_windows w
WHERE check_schema = %(check_schema)s
  AND id < (SELECT min(id) FROM (SELECT id FROM maint_assets.vn_windows
                                 WHERE check_schema = %(check_schema)s
                                 ORDER BY id DESC LIMIT 2) AS kept);

-- name: covered_observations
-- The rows of {copy}.observations_json inside the window: a slice of their site, taxo group
-- and territorial unit covered their day, with a day to spare at both ends (a site's
-- calendar is local, the day is read in UTC; a download crossing midnight is covered).
-- Each row's keys are read once, then joined by hash. Only rows written since two days before
-- the window's first day are read: a version is written after the day it is dated (nobody
-- enters a sighting before it happens; a corrected date is corrected later), so older rows
-- cannot be inside, and reading their JSON would cost a scan of the whole table.
CREATE TEMP TABLE {temp} ON COMMIT DROP AS
WITH coverage AS MATERIALIZED (
    SELECT site, taxo_group::text AS taxo_group, territorial_unit,
           range_agg(daterange(first_day, last_day, '[]')) AS days
    FROM maint_assets.vn_window_slices WHERE window_id = %(window_id)s
    GROUP BY site, taxo_group, territorial_unit
), places AS MATERIALIZED (
    SELECT site, place::text AS place, territorial_unit
    FROM maint_assets.vn_window_places WHERE window_id = %(window_id)s
), keyed AS MATERIALIZED (
    SELECT r.site, r.id, r.item #>> '{{place,@id}}' AS place,
           r.item #>> '{{species,taxonomy}}' AS taxo_group,
           CASE WHEN r.item #>> %(date_path)s ~ '^-?[0-9]{{1,12}}$'
                THEN (to_timestamp((r.item #>> %(date_path)s)::bigint) AT TIME ZONE 'UTC')::date
           END AS day
    FROM {copy}.observations_json r
    WHERE r.update_ts >= (SELECT extract(epoch FROM min(first_day) - 2)::bigint
                          FROM maint_assets.vn_window_slices WHERE window_id = %(window_id)s)
)
SELECT k.site, k.id, k.taxo_group, k.day
FROM keyed k
JOIN places p ON p.site = k.site AND p.place = k.place
JOIN coverage c ON c.site = k.site AND c.taxo_group = k.taxo_group
               AND c.territorial_unit = p.territorial_unit
WHERE daterange(k.day - 1, k.day + 1, '[]') <@ c.days;

-- name: polled_observations
-- The rows of {copy}.observations_json outside the window's days that our continuous diff
-- polls stored: changed at the source since the start of the unbroken polls of their site
-- and taxo group (coverage.py polled_since: %(sites)s, %(groups)s, %(since)s), of a
-- territorial unit the window covered for that group (a unit filtered out was not stored, and
-- its rows in the copy may be stale).
CREATE TEMP TABLE {temp} ON COMMIT DROP AS
SELECT r.site, r.id
FROM {copy}.observations_json r
JOIN unnest(%(sites)s::text[], %(groups)s::text[], %(since)s::bigint[]) AS c(site, taxo_group, since)
  ON c.site = r.site AND c.taxo_group = r.item #>> '{{species,taxonomy}}'
 AND r.update_ts >= c.since
JOIN maint_assets.vn_window_places p
  ON p.window_id = %(window_id)s AND p.site = r.site
 AND p.place::text = r.item #>> '{{place,@id}}'
WHERE EXISTS (SELECT FROM maint_assets.vn_window_slices s
              WHERE s.window_id = %(window_id)s AND s.site = r.site
                AND s.taxo_group::text = r.item #>> '{{species,taxonomy}}'
                AND s.territorial_unit = p.territorial_unit);

-- name: index_covered
CREATE UNIQUE INDEX ON {temp} (site, id);
ANALYZE {temp};

-- name: covered_rows
SELECT count(*) FROM {temp};

-- name: covered_places
-- The places of {copy}.places_json the window's places download covered: of a site it
-- downloaded whole, or of a commune it downloaded (the copy's own item's id_commune). A place
-- outside them was not asked for, so nothing says whether the source still has it.
CREATE TEMP TABLE {temp} ON COMMIT DROP AS
SELECT p.site, p.id FROM {copy}.places_json p
WHERE EXISTS (SELECT FROM maint_assets.vn_window_place_sites ps
              WHERE ps.window_id = %(window_id)s AND ps.site = p.site)
   OR EXISTS (SELECT FROM maint_assets.vn_window_place_communes pc
              WHERE pc.window_id = %(window_id)s AND pc.site = p.site
                AND pc.commune = p.item ->> 'id_commune');

-- name: covered_days
-- Per site, the days every slice of the window covered (any group and unit), with a day to
-- spare: a form is inside the window when its whole date range is.
CREATE TEMP TABLE vn_covered_days ON COMMIT DROP AS
SELECT site, range_agg(daterange(lower(r) + 1, upper(r) - 1)) AS days
FROM (SELECT site, unnest(range_agg(daterange(first_day, last_day, '[]'))) AS r
      FROM maint_assets.vn_window_slices WHERE window_id = %(window_id)s GROUP BY site) s
WHERE upper(r) - lower(r) > 2
GROUP BY site;

-- name: poll_since
-- Where the next diff poll of {check} starts: where the last one started, provided polls
-- ran one after the other since %(needed)s at least; else %(needed)s; with neither, NULL
-- (transfer_vn's watermarks as they are).
SELECT CASE WHEN min(since) <= %(needed)s::timestamp OR %(needed)s::timestamp IS NULL
            THEN max(started) ELSE %(needed)s::timestamp END
FROM maint_assets.vn_polls WHERE check_schema = %(check_schema)s;

-- name: polls
-- The polls of {check}, oldest first, with the taxo groups each asked for (coverage.py
-- polled_since walks them). Transfer_vn's clock, as recorded.
SELECT since, started, groups FROM maint_assets.vn_polls
WHERE check_schema = %(check_schema)s ORDER BY started, id;

-- name: newest_watermark
-- What the first poll (none recorded) may claim to have asked for: transfer_vn asks every
-- taxo group of a site for the changes since the FIRST listed group's watermark
-- (Observations.update reads increment_get once and reuses it), and a group it does not
-- list (taxo_exclude, no access) or the places' -1 is not asked at all, so the oldest
-- watermark claims a stretch no poll of ours asked for. Every group was asked since a
-- watermark no later than the newest one.
SELECT max(last_ts) FROM {check}.increment_log WHERE site = ANY(%(sites)s);

-- name: record_poll
-- With the taxo groups it asked for: those whose watermark transfer_vn moved as it asked the
-- diff (Observations.update logs now() for each group it lists, before the request), so at
-- or after the poll's start (the places' -1 is no group).
INSERT INTO maint_assets.vn_polls (check_schema, since, started, run_id, groups)
SELECT %(check_schema)s, %(since)s, %(started)s, %(run_id)s,
       coalesce(jsonb_agg(jsonb_build_object('site', site, 'taxo_group', taxo_group)
                          ORDER BY site, taxo_group), '[]')
FROM {check}.increment_log
WHERE site = ANY(%(sites)s) AND taxo_group >= 0 AND last_ts >= %(started)s;

-- name: record_reported_deletions
-- The deletions the poll's diff reported (transfer_vn_jobs.py) of rows the check copy did not
-- hold: deleting them removed nothing, so no capture trigger recorded the source's word.
-- Recorded as our transfer_vn's own, at the database time of its delete, once: not when our
-- transfer_vn's deletion of the row in {check} is recorded since VisioNature last served it
-- (vn_served), which is the trigger's record of this very delete (the row was held) or this
-- deletion recorded by an earlier poll whose diff reached as far back. Another session's
-- claim (an operator's prune of {check}, which the repair weighs) is no such record: the
-- source's word is recorded beside it. An id reported twice in one poll (two taxo groups'
-- diffs) is recorded once, at its latest delete.
INSERT INTO maint_assets.vn_deletions
    (schema_name, table_name, site, item_id, update_ts, deleted_at, application_name)
SELECT %(check_schema)s, r.table_name, r.site, r.item_id, NULL::bigint, max(r.deleted_at),
       'transfer_vn'
FROM unnest(%(tables)s::text[], %(sites)s::text[], %(ids)s::integer[], %(ats)s::bigint[])
     AS r(table_name, site, item_id, deleted_at)
WHERE NOT EXISTS (SELECT FROM maint_assets.vn_deletions d
                  WHERE d.table_name = r.table_name AND d.site = r.site
                    AND d.item_id = r.item_id AND d.schema_name = %(check_schema)s
                    AND d.application_name = 'transfer_vn'
                    AND d.deleted_at >= coalesce(
                        (SELECT max(v.served_at) FROM maint_assets.vn_served v
                         WHERE v.table_name = r.table_name AND v.site = r.site
                           AND v.item_id = r.item_id), 0))
  -- {check} holds it after the poll: the same poll stored it after the deletion it reported
  -- (a held row was deleted then), so VisioNature served it since; for a held row the served
  -- capture says so (bookkeeping.sql), but it cannot see a deletion not recorded yet.
  AND NOT (r.table_name = 'observations_json'
           AND EXISTS (SELECT FROM {check}.observations_json k
                       WHERE k.site = r.site AND k.id = r.item_id))
  AND NOT (r.table_name = 'places_json'
           AND EXISTS (SELECT FROM {check}.places_json k
                       WHERE k.site = r.site AND k.id = r.item_id))
GROUP BY r.table_name, r.site, r.item_id;

-- name: rewind_watermarks
-- The next --update of {check} asks the diff for every change since %(since)s.
UPDATE {check}.increment_log SET last_ts = %(since)s
WHERE last_ts > %(since)s AND site = ANY(%(sites)s);

-- name: add_watermarks
-- A watermark for every taxo group the window downloaded (and -1, the places':
-- Places._place_id), so that --update polls each of them.
INSERT INTO {check}.increment_log (site, taxo_group, last_ts)
SELECT DISTINCT l.site, m[1]::integer, %(since)s::timestamp
FROM {log}.download_log l
CROSS JOIN LATERAL regexp_match(l.comment, '=> Iter ?: [0-9]+, [0-9]+ obs, taxo_group ?: ([0-9]+),') AS m
WHERE l.controler = 'observations' AND m IS NOT NULL
UNION
SELECT DISTINCT site, -1, %(since)s::timestamp FROM {log}.download_log WHERE controler = 'places'
ON CONFLICT (site, taxo_group) DO NOTHING;

-- name: xid_horizon
-- The next transaction id to be assigned: a row whose xmin is at or after it was written
-- by a transaction that wrote after this point. Compared with rows' 32-bit xmin
-- (see vn_check_copy.sql form_changes).
SELECT pg_snapshot_xmax(pg_current_snapshot())::text;

-- name: observation_count
SELECT count(*) FROM {schema}.observations_json;

-- name: truncate_download
TRUNCATE {schema}.observations_json, {schema}.forms_json, {schema}.places_json,
         {schema}.local_admin_units_json, {schema}.territorial_units_json,
         {schema}.taxo_groups_json, {schema}.download_log, {schema}.increment_log;
