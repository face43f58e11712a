-- The repair of production ({production}) from the check copy ({check}), by key (id, site),
-- inside the latest window (maint_assets.vn_windows %(window_id)s): vn_cc and vn_cp hold the
-- rows of each copy inside it (coverage.sql covered_observations), judged on that copy's own
-- version of the row. Only rows that differ are written, since every write fires
-- production's row triggers (GeoNature's, Client-API-VN's column tables).
--
-- A production row is deleted only on positive evidence: the source's deletion signal
-- (maint_assets.vn_deletions, newer than the row's version, and not refuted by a download
-- that brought the row after it; our diff polls record the deletions the source reports of
-- rows the check copy never held too, transfer_vn_jobs.py), or, only when the operator says
-- the check configuration's account sees every sighting production's sees
-- (%(delete_absent)s: one it may not read, sensitive or in a limited taxo group, is in none
-- of its answers) and after a window download
-- whose check copy was brought up to date by the diff afterwards (%(absence)s), its absence
-- from both the download and the check copy while the download covered its site, taxo
-- group, territorial unit and day and the row is older than the download. Anything else
-- production holds that the source may lack is "unconfirmed": kept, counted and listed.
-- Outside the window nothing is written unless %(whole_table)s, but a version of a sighting
-- that our continuous diff polls of the check copy stored (vn_cpoll), which is the source's
-- current one. Outside the window a deletion rests on
-- the signal alone (no download covered the row, to refute it), and so does every deletion
-- of an adopted window (no download of ours), and inside a window we downloaded, one on a
-- signal recorded after the download started (an operator's prune of the check copy during
-- the download, during the window's own diff poll or before the repair, which no download
-- refutes) unless our own transfer_vn recorded it by the end of that poll (%(confirmed_at)s)
-- in the copy it polls (%(check_schema)s): the poll's deletions are the source's, and the
-- capture names the session ('transfer_vn', client_api_vn.py) and the copy. Any other
-- session's (psql, an unnamed script or cron), one in production (a live sync run with that
-- name is not the poll), and one recorded before the capture named sessions, is weighed. Such
-- deletions are marked "unchecked" ('outside' or 'inside' the window) and weighed by the
-- deletion guard (reconcile.py) on what the DELETE statements actually delete.

-- name: signals
-- The deletion signals of %(table_name)s, per row, for the repair and the merge alike
-- (vn_check_copy.sql): the latest deletion not refuted (deleted_at, NULL when all were),
-- whether one was refuted, and whether one not refuted rests on the signal alone (weighed).
-- The capture records every deletion, an operator's as well as the source's diff. One is
-- refuted when VisioNature still served the row after it: our window download (started after
-- the deletion) brought it ({brought}: for the merge the download itself, for the repair
-- observations_brought and places_brought), or either copy's transfer_vn stored it since the
-- deletion (vn_served: an adopted window's --full, a diff poll of the check copy or the live
-- sync's of production; the time of that row itself, not of the window's first --full, which
-- a first adoption takes from before the deletion; or an earlier window download of ours
-- that brought the row after the deletion, vn_check_copy.sql record_served, so that a
-- refutation outlives the window that made it). Times are whole seconds: a deletion in
-- the second the row was served counts as before it, and one within the second after the
-- download's start too (see vn_check_copy.sql: deleted_at is rounded, the start truncated),
-- since a row wrongly kept goes at a later repair while a row wrongly deleted stays lost.
-- A deletion not refuted is weighed by the deletion guard unless a download of ours checks
-- it: before its start (refuted above, or the row was absent), or our own transfer_vn's by
-- the end of its diff poll, in the check copy it polls. A second to spare either side:
-- deleted_at is rounded, the window's times truncated. NULL application_name: before it was
-- recorded. checked: one not refuted is checked (the poll's own: the source's word).
CREATE TEMP TABLE vn_signals ON COMMIT DROP AS
WITH claims AS MATERIALIZED (
    SELECT d.site, d.item_id AS id, d.deleted_at,
           d.deleted_at <= %(download_started)s + 1 AND %(downloaded)s
           AND EXISTS (SELECT FROM {brought} b WHERE b.site = d.site AND b.id = d.item_id)
           OR EXISTS (SELECT FROM maint_assets.vn_served v
                      WHERE v.table_name = %(table_name)s AND v.site = d.site
                        AND v.item_id = d.item_id AND v.served_at >= d.deleted_at) AS refuted,
           NOT %(downloaded)s
           OR d.deleted_at > %(download_started)s + 1
              AND NOT (d.application_name IS NOT DISTINCT FROM 'transfer_vn'
                       AND d.schema_name = %(check_schema)s
                       AND d.deleted_at <= %(confirmed_at)s + 1) AS weighed
    FROM maint_assets.vn_deletions d
    WHERE d.table_name = %(table_name)s
)
SELECT site, id, max(deleted_at) FILTER (WHERE NOT refuted) AS deleted_at,
       bool_or(refuted) AS refuted, bool_or(weighed) FILTER (WHERE NOT refuted) AS weighed,
       bool_or(NOT weighed) FILTER (WHERE NOT refuted) AS checked
FROM claims GROUP BY site, id;

-- name: observations_brought
-- The observations the window download brought, for the repair's signals: the check copy's
-- inside the window and not unconfirmed.
CREATE TEMP TABLE vn_brought ON COMMIT DROP AS
SELECT c.site, c.id FROM vn_cc c
WHERE NOT EXISTS (SELECT FROM maint_assets.vn_window_unconfirmed u
                  WHERE u.window_id = %(window_id)s AND u.table_name = 'observations_json'
                    AND u.site = c.site AND u.id = c.id);

-- name: places_brought
-- The places the window download brought (in an adopted window: that the check copy holds,
-- which the signals do not read there).
CREATE TEMP TABLE vn_brought ON COMMIT DROP AS
SELECT site, place AS id FROM maint_assets.vn_window_places
WHERE window_id = %(window_id)s AND downloaded;

-- name: drop_signals
DROP TABLE vn_signals;

-- name: drop_brought
DROP TABLE vn_brought;

-- name: increment_log_of
-- The live sync's watermarks table of a schema, NULL when it has none (never polled).
SELECT to_regclass(format('%%I.increment_log', %(schema)s::text));

-- name: unknown_sites
-- The sites of the check copy's rows inside the window (vn_cc) that production's live sync
-- does not poll (no watermark in its increment_log, a small table) and of which production
-- holds no observation, when it polls some site: with the sites it polls. Read before
-- anything is written (reconcile.py).
WITH known AS MATERIALIZED (
    SELECT array_agg(DISTINCT site ORDER BY site) AS sites FROM {production}.increment_log
)
SELECT c.site, known.sites
FROM (SELECT DISTINCT site FROM vn_cc) c, known
WHERE known.sites IS NOT NULL AND NOT c.site = ANY(known.sites)
  AND NOT EXISTS (SELECT FROM {production}.observations_json p WHERE p.site = c.site)
ORDER BY c.site;

-- name: observation_pairs
-- One pass over both copies on narrow columns (keys, update times, inside the window or not):
-- the rows that may need a change. Items are read afterwards, for those rows only.
CREATE TEMP TABLE vn_pairs ON COMMIT DROP AS
SELECT coalesce(k.site, p.site) AS site, coalesce(k.id, p.id) AS id,
       k.update_ts AS check_ts, p.update_ts AS production_ts,
       cc.id IS NOT NULL AS check_inside, cp.id IS NOT NULL AS production_inside,
       cq.id IS NOT NULL AS check_polled
FROM {check}.observations_json k
FULL JOIN {production}.observations_json p ON p.site = k.site AND p.id = k.id
LEFT JOIN vn_cc cc ON cc.site = k.site AND cc.id = k.id
LEFT JOIN vn_cpoll cq ON cq.site = k.site AND cq.id = k.id
LEFT JOIN vn_cp cp ON cp.site = p.site AND cp.id = p.id
WHERE k.id IS NULL OR p.id IS NULL OR k.update_ts <> p.update_ts
   -- items are compared only inside the window (or for a whole-table repair)
   OR cc.id IS NOT NULL OR %(whole_table)s
   OR EXISTS (SELECT FROM maint_assets.vn_deletions d
              WHERE d.table_name = 'observations_json' AND d.site = p.site AND d.item_id = p.id);

-- name: index_pairs
CREATE UNIQUE INDEX ON vn_pairs (id, site);
ANALYZE vn_pairs;

-- name: observation_changes
-- vn_signals: the deletion signals (signals, above).
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
WITH unconfirmed AS MATERIALIZED (
    SELECT site, id FROM maint_assets.vn_window_unconfirmed
    WHERE window_id = %(window_id)s AND table_name = 'observations_json'
)
SELECT * FROM (
    SELECT k.site, k.id,
           CASE WHEN NOT coalesce(jsonb_typeof(k.item) = 'object'
                                  AND k.item #>> '{{observers,0,id_sighting}}' = k.id::text
                                  -- a sighting before 1970 has a negative epoch (the API's,
                                  -- which Client-API-VN stores as is)
                                  AND k.item #>> %(date_path)s ~ '^-?[0-9]{{1,12}}$'
                                  AND k.item #>> '{{species,taxonomy}}' ~ '^[0-9]+$'
                                  AND k.item #>> '{{place,@id}}' ~ '^[0-9]+$', false)
                     THEN 'malformed'
                -- deleted at the source since this version: the other branch decides
                WHEN s.deleted_at >= k.update_ts THEN NULL
                -- outside the window, a version our continuous polls stored (vn_cpoll:
                -- coverage.sql polled_observations) is the source's current one, as the
                -- seed's daily --update has it: a sighting entered late with an old date,
                -- which production's live sync missed
                WHEN NOT x.check_inside AND NOT x.check_polled AND NOT %(whole_table)s
                     THEN 'outside_window'
                WHEN k.update_ts < %(download_started)s AND u.id IS NOT NULL THEN 'unconfirmed'
                -- a refuted deletion refutes one the capture missed as well
                WHEN %(adopted)s AND p.id IS NULL AND k.update_ts < %(capture_since)s
                     AND s.refuted IS NOT TRUE
                     THEN 'unconfirmed'
                WHEN p.id IS NULL THEN 'insert'
                WHEN k.update_ts < p.update_ts THEN 'kept_newer'
                ELSE 'update' END AS action,
           CASE WHEN u.id IS NOT NULL THEN 'the window download did not bring it'
                -- counted apart: a row production lost though the source still has it
                WHEN p.id IS NULL AND s.refuted THEN 'refuted deletion'
                WHEN p.id IS NULL THEN 'production may have deleted it before the deletion '
                                       'capture was installed'
           END AS reason,
           NULL::text AS unchecked
    FROM vn_pairs x
    JOIN {check}.observations_json k ON k.site = x.site AND k.id = x.id
    LEFT JOIN {production}.observations_json p ON p.site = x.site AND p.id = x.id
    LEFT JOIN unconfirmed u ON u.site = x.site AND u.id = x.id
    LEFT JOIN vn_signals s ON s.site = x.site AND s.id = x.id
    WHERE x.check_ts IS NOT NULL
      AND (p.id IS NULL OR k.update_ts <> p.update_ts OR k.item <> p.item
           OR k.id_form_universal IS DISTINCT FROM p.id_form_universal)
    UNION ALL
    SELECT x.site, x.id,
           CASE WHEN s.deleted_at >= x.production_ts
                     AND (x.check_ts IS NULL OR s.deleted_at >= x.check_ts)
                     THEN CASE WHEN x.production_inside OR %(whole_table)s THEN 'delete'
                               ELSE 'outside_window' END
                WHEN x.check_ts IS NOT NULL OR NOT x.production_inside THEN NULL
                WHEN NOT %(absence)s OR NOT %(delete_absent)s
                     OR x.production_ts >= %(download_started)s
                     THEN 'unconfirmed'
                ELSE 'delete' END,
           CASE WHEN s.deleted_at >= x.production_ts THEN 'signal'
                WHEN NOT %(absence)s THEN 'absent from the check copy; this window has no '
                                          'diff poll to confirm it'
                WHEN x.production_ts >= %(download_started)s
                     THEN 'absent from the check copy, changed after the download started'
                WHEN NOT %(delete_absent)s
                     THEN 'absent from the download and the check copy, no deletion signal '
                          '(delete_absent is off)'
                ELSE 'absent' END,
           CASE WHEN NOT s.deleted_at >= x.production_ts THEN NULL
                WHEN NOT x.production_inside THEN 'outside'
                WHEN s.weighed THEN 'inside' END
    FROM vn_pairs x
    LEFT JOIN vn_signals s ON s.site = x.site AND s.id = x.id
    WHERE x.production_ts IS NOT NULL
      AND (x.check_ts IS NULL OR s.deleted_at >= x.production_ts)
) changes
WHERE action IS NOT NULL;

-- name: insert_observations
-- DO NOTHING: the live sync may have stored the row since the changes were computed, and
-- its version is at least as new.
INSERT INTO {production}.observations_json (id, site, item, update_ts, id_form_universal)
SELECT k.id, k.site, k.item, k.update_ts, k.id_form_universal
FROM vn_changes c JOIN {check}.observations_json k ON k.site = c.site AND k.id = c.id
WHERE c.action = 'insert'
ON CONFLICT (id, site) DO NOTHING;

-- name: update_observations
-- The update_ts test is evaluated again on the row's latest version (READ COMMITTED), so a
-- newer version stored meanwhile by the live sync is never overwritten.
UPDATE {production}.observations_json p
SET item = k.item, update_ts = k.update_ts, id_form_universal = k.id_form_universal
FROM vn_changes c JOIN {check}.observations_json k ON k.site = c.site AND k.id = c.id
WHERE c.action = 'update' AND p.site = c.site AND p.id = c.id AND p.update_ts <= k.update_ts;

-- name: delete_observations
-- Each condition is checked again on the row's latest version. Returns, per row deleted,
-- whether it rests on a signal alone: the deletion guard weighs what was deleted, in this
-- statement's snapshot, with those rows locked until the transaction ends.
DELETE FROM {production}.observations_json p USING vn_changes c
WHERE c.action = 'delete' AND p.site = c.site AND p.id = c.id
  AND CASE WHEN c.reason = 'signal'
           THEN p.update_ts <= (SELECT max(d.deleted_at) FROM maint_assets.vn_deletions d
                                WHERE d.table_name = 'observations_json' AND d.site = p.site
                                  AND d.item_id = p.id)
           ELSE p.update_ts < %(download_started)s
                AND NOT EXISTS (SELECT FROM {check}.observations_json k
                                WHERE k.site = p.site AND k.id = p.id) END
RETURNING c.unchecked;

-- name: form_changes
-- Forms go with their observations: one the check copy holds goes to production when an
-- observation of the window belongs to it (before the observations: reconcile.py); one of
-- production goes when no observation of either copy belongs to it any more and its days are
-- inside the window (form_orphans, after the observations). Belonging is
-- Client-API-VN's link (site, id_form_universal); a form without that optional key is linked
-- to nothing: it goes to production when its days are inside the window, and is never
-- deleted for want of observations (see vn_check_copy.sql).
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
WITH wanted AS MATERIALIZED (
    SELECT DISTINCT k.site, k.id_form_universal
    FROM vn_cc c JOIN {check}.observations_json k ON k.site = c.site AND k.id = c.id
    WHERE k.id_form_universal IS NOT NULL
), polled AS MATERIALIZED (
    -- the forms of the sightings outside the window our polls brought (vn_cpoll), which the
    -- same poll stored with them: inserted when production lacks them, as their sightings
    SELECT DISTINCT k.site, k.id_form_universal
    FROM vn_cpoll c JOIN {check}.observations_json k ON k.site = c.site AND k.id = c.id
    WHERE k.id_form_universal IS NOT NULL
)
SELECT k.site, k.id,
       CASE WHEN NOT coalesce(jsonb_typeof(k.item) = 'object' AND k.item ->> '@id' = k.id::text
                              AND k.item ->> 'date_start' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
                              AND k.item ->> 'date_stop' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$', false)
                 THEN 'malformed'
            WHEN NOT %(whole_table)s
                 AND CASE WHEN k.item ->> 'id_form_universal' IS NULL
                          THEN NOT EXISTS (
                              SELECT FROM vn_covered_days d
                              WHERE d.site = k.site
                                AND daterange((k.item ->> 'date_start')::date,
                                              (k.item ->> 'date_stop')::date, '[]') <@ d.days)
                          ELSE NOT EXISTS (
                              SELECT FROM wanted w WHERE w.site = k.site
                                AND w.id_form_universal = k.item ->> 'id_form_universal')
                               AND NOT (p.id IS NULL AND EXISTS (
                              SELECT FROM polled w WHERE w.site = k.site
                                AND w.id_form_universal = k.item ->> 'id_form_universal')) END
                 THEN 'outside_window'
            WHEN p.id IS NULL THEN 'insert'
            -- as for places (place_changes): a form has no version to compare either
            WHEN p.xmin::text::bigint >= 3
                 AND mod(pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                         - p.xmin::text::bigint, 4294967296)
                     <= pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                        - %(fetched_xid)s::bigint THEN 'kept_newer'
            ELSE 'update' END AS action,
       NULL::text AS reason,
       NULL::text AS unchecked
FROM {check}.forms_json k
LEFT JOIN {production}.forms_json p ON p.site = k.site AND p.id = k.id
WHERE p.id IS NULL OR k.item <> p.item;

-- name: form_orphans
-- The forms of production no observation of either copy belongs to any more, inside the
-- window: after the observations' changes (reconcile.py), so that a form whose last
-- sighting this repair deletes goes with it.
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
SELECT p.site, p.id, 'delete' AS action, 'no observation belongs to it' AS reason,
       NULL::text AS unchecked
FROM {production}.forms_json p
JOIN vn_covered_days d ON d.site = p.site
WHERE p.item ->> 'date_start' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
  AND p.item ->> 'date_stop' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
  AND daterange((p.item ->> 'date_start')::date, (p.item ->> 'date_stop')::date, '[]') <@ d.days
  AND p.item ->> 'id_form_universal' IS NOT NULL
  AND NOT EXISTS (SELECT FROM {production}.observations_json o
                  WHERE o.site = p.site AND o.id_form_universal = p.item ->> 'id_form_universal')
  AND NOT EXISTS (SELECT FROM {check}.observations_json o
                  WHERE o.site = p.site AND o.id_form_universal = p.item ->> 'id_form_universal');

-- name: place_changes
-- Places (downloaded whole per site, or commune by commune with territorial_unit_ids): one
-- the check copy holds goes to production when the window downloaded it; one of production
-- the window's places download covered (vn_places_cp: coverage.sql covered_places, on
-- production's own item) goes on the source's deletion signal, unless an observation of
-- production still points to it; one it did not cover is outside the window. A signal is refuted as for observations
-- (vn_signals: signals, above, of places_brought). A place has no version, so a standing
-- signal decides (the second branch) even when the check copy holds the place too: its row
-- there was stored before the deletion, or VisioNature served it since and the signal would
-- be refuted. The merge deletes such a place from the check copy likewise; leaving it would
-- keep in production, never repaired, a place the source deleted.
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
WITH candidates AS MATERIALIZED (
    SELECT p.site, p.id FROM {production}.places_json p JOIN vn_signals s USING (site, id)
    WHERE s.deleted_at IS NOT NULL
), referenced AS MATERIALIZED (
    -- production's observations are read only when a place may go
    SELECT DISTINCT o.site, o.item #>> '{{place,@id}}' AS place
    FROM {production}.observations_json o
    JOIN candidates c ON c.site = o.site AND c.id::text = o.item #>> '{{place,@id}}'
)
SELECT * FROM (
    SELECT k.site, k.id,
           CASE WHEN NOT coalesce(jsonb_typeof(k.item) = 'object'
                                  AND k.item ->> 'id' = k.id::text, false)
                     THEN 'malformed'
                WHEN s.deleted_at IS NOT NULL THEN NULL
                WHEN NOT %(whole_table)s AND wp.place IS NULL THEN 'outside_window'
                WHEN p.id IS NULL THEN 'insert'
                -- stored by the live sync since the window last fetched from the source (its
                -- fetched_xid; as in vn_check_copy.sql form_changes): newer than the check
                -- copy's, which a place has no version to tell
                WHEN p.xmin::text::bigint >= 3
                     AND mod(pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                             - p.xmin::text::bigint, 4294967296)
                         <= pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                            - %(fetched_xid)s::bigint THEN 'kept_newer'
                ELSE 'update' END AS action,
           -- counted apart: a place production lost though the source still has it
           CASE WHEN p.id IS NULL AND s.refuted THEN 'refuted deletion' END AS reason,
           NULL::text AS unchecked
    FROM {check}.places_json k
    LEFT JOIN {production}.places_json p ON p.site = k.site AND p.id = k.id
    LEFT JOIN maint_assets.vn_window_places wp
      ON wp.window_id = %(window_id)s AND wp.site = k.site AND wp.place = k.id AND wp.downloaded
    LEFT JOIN vn_signals s ON s.site = k.site AND s.id = k.id
    WHERE p.id IS NULL OR k.item <> p.item
    UNION ALL
    SELECT p.site, p.id,
           CASE WHEN s.deleted_at IS NULL
                     THEN CASE WHEN ps.site IS NULL THEN NULL ELSE 'unconfirmed' END
                WHEN r.place IS NOT NULL THEN 'kept_referenced'
                WHEN ps.site IS NULL AND NOT %(whole_table)s THEN 'outside_window'
                ELSE 'delete' END,
           CASE WHEN s.deleted_at IS NULL THEN 'absent from the check copy' ELSE 'signal' END,
           CASE WHEN s.deleted_at IS NULL THEN NULL
                WHEN ps.site IS NULL THEN 'outside'
                WHEN s.weighed THEN 'inside' END
    FROM {production}.places_json p
    LEFT JOIN vn_signals s ON s.site = p.site AND s.id = p.id
    LEFT JOIN vn_places_cp ps ON ps.site = p.site AND ps.id = p.id
    LEFT JOIN referenced r ON r.site = p.site AND r.place = p.id::text
    WHERE s.deleted_at IS NOT NULL
       OR NOT EXISTS (SELECT FROM {check}.places_json k WHERE k.site = p.site AND k.id = p.id)
) changes
WHERE action IS NOT NULL;

-- name: insert_items
INSERT INTO {production}.{table} (id, site, item)
SELECT k.id, k.site, k.item
FROM vn_changes c JOIN {check}.{table} k ON k.site = c.site AND k.id = c.id
WHERE c.action = 'insert'
ON CONFLICT (id, site) DO NOTHING;

-- name: update_items
UPDATE {production}.{table} p SET item = k.item
FROM vn_changes c JOIN {check}.{table} k ON k.site = c.site AND k.id = c.id
WHERE c.action = 'update' AND p.site = c.site AND p.id = c.id AND p.item <> k.item;

-- name: delete_items
-- As delete_observations: what it deleted, for the deletion guard.
DELETE FROM {production}.{table} p USING vn_changes c
WHERE c.action = 'delete' AND p.site = c.site AND p.id = c.id
RETURNING c.unchecked;

-- name: production_rows
-- What deletions outside the window are weighed against (read only when there are some).
SELECT count(*) FROM {production}.{table};

-- name: change_counts
SELECT action, reason, count(*) FROM vn_changes GROUP BY action, reason;

-- name: listed
-- The items a run keeps without writing them, for the monitoring table and the metadata.
SELECT action, site, id, reason FROM vn_changes
WHERE action IN ('unconfirmed', 'malformed')
ORDER BY action, site, id;

-- name: drop_changes
DROP TABLE vn_changes;

-- name: capture_since
SELECT coalesce(max(installed_at), 0) FROM maint_assets.vn_capture
WHERE schema_name = %(schema)s AND table_name = 'observations_json';
