-- A window download ({staging}) merged into the check copy ({check}), by key (id, site):
-- new and newer rows are written, rows the source deleted (maint_assets.vn_deletions) are
-- removed; a row of the check copy inside the window that the download did not bring and no
-- deletion signal explains is "unconfirmed": kept, and recorded so that the repair does not
-- copy it to production. Absence alone never deletes here: the same absence follows a date,
-- taxo group or place corrected out of the window, or a download that lost a slice.
-- A signal is only a deletion some session made (the capture cannot tell the source's diff
-- from an operator's DELETE): it is refuted (vn_signals: reconcile.sql signals, of the rows
-- {staging} brought) for the rows the download brought when it is older than the download's
-- start, and for the rows either copy's transfer_vn stored after it (vn_served: the window's
-- own diff poll storing a row pruned from the check copy during the download or the poll),
-- since VisioNature still served them after it; the rows a download brought after their
-- deletion are recorded in vn_served (record_served), so the next windows know it too.
-- Times are whole seconds, deleted_at rounded (the capture trigger) and the download's start
-- truncated, so a deletion up to 1.5 s before the start can read a second after it: a
-- deletion counts as after the start only past that second. A row wrongly kept goes at the next window (which no longer brings it); a row
-- wrongly deleted would stay lost.
-- A signal not refuted recorded after the download started rests on the signal alone
-- (nothing of ours refutes it): a DELETE in either copy during the download, during the
-- window's own diff poll or since. The deletions it makes are marked "unchecked" ('inside'),
-- the downloaded rows the check copy lacks that it keeps out are "withheld" (a deletion all
-- the same), and both are weighed by the merge's deletion guard (merge.py, reconcile.py) as
-- reconcile.sql's are in production; but for the poll's own, which are the source's: those
-- our own transfer_vn ('transfer_vn', client_api_vn.py) recorded by the poll's end
-- (%(confirmed_at)s) in the copy it polls (%(check_schema)s): a session of production named
-- so (the live sync, run with that PGAPPNAME) is not the poll. A row is withheld only when
-- the poll did not delete it itself: a deletion at the source during the download reaches
-- the check copy through the poll and production through the live sync, whose signal alone
-- is weighed.
-- vn_cc holds the check copy's rows inside the window (coverage.sql covered_observations).

-- name: observation_changes
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
SELECT * FROM (
    SELECT w.site, w.id,
           CASE WHEN NOT coalesce(jsonb_typeof(w.item) = 'object'
                                  AND w.item #>> '{{observers,0,id_sighting}}' = w.id::text
                                  -- a sighting before 1970 has a negative epoch (the API's,
                                  -- which Client-API-VN stores as is)
                                  AND w.item #>> %(date_path)s ~ '^-?[0-9]{{1,12}}$'
                                  AND w.item #>> '{{species,taxonomy}}' ~ '^[0-9]+$'
                                  AND w.item #>> '{{place,@id}}' ~ '^[0-9]+$', false)
                     THEN 'malformed'
                -- deleted since this version after the download started (it may have
                -- fetched the row before): a row of the check copy is the other branch's
                WHEN s.deleted_at >= w.update_ts
                     THEN CASE WHEN k.id IS NULL AND s.weighed AND NOT s.checked
                               THEN 'withheld' END
                WHEN k.id IS NULL THEN 'insert'
                WHEN w.update_ts < k.update_ts THEN 'kept_newer'
                ELSE 'update' END AS action,
           NULL::text AS reason,
           NULL::text AS unchecked
    FROM {staging}.observations_json w
    LEFT JOIN {check}.observations_json k ON k.site = w.site AND k.id = w.id
    LEFT JOIN vn_signals s ON s.site = w.site AND s.id = w.id
    WHERE k.id IS NULL OR w.update_ts <> k.update_ts OR w.item <> k.item
       OR w.id_form_universal IS DISTINCT FROM k.id_form_universal
    UNION ALL
    SELECT k.site, k.id,
           CASE WHEN s.deleted_at >= k.update_ts
                     AND (w.id IS NULL OR s.deleted_at >= w.update_ts)
                     THEN 'delete'
                WHEN w.id IS NOT NULL OR k.update_ts >= %(download_started)s THEN NULL
                ELSE 'unconfirmed' END,
           CASE WHEN s.deleted_at >= k.update_ts THEN 'signal'
                ELSE 'the window download did not bring it' END,
           CASE WHEN s.deleted_at >= k.update_ts AND s.weighed THEN 'inside' END
    FROM vn_cc c
    JOIN {check}.observations_json k ON k.site = c.site AND k.id = c.id
    LEFT JOIN {staging}.observations_json w ON w.site = k.site AND w.id = k.id
    LEFT JOIN vn_signals s ON s.site = k.site AND s.id = k.id
    WHERE w.id IS NULL OR s.deleted_at >= k.update_ts
) changes
WHERE action IS NOT NULL;

-- name: partial_cells
-- Site × taxo group × day of the window where the download brought fewer of the check copy's
-- rows than the copy holds (rows updated since the download started aside).
SELECT c.site, c.taxo_group, c.day,
       count(*) FILTER (WHERE k.update_ts < %(download_started)s) AS in_copy,
       count(*) FILTER (WHERE ch.action = 'unconfirmed') AS missing,
       (SELECT count(*) FROM {staging}.observations_json w
        WHERE w.site = c.site AND w.item #>> '{{species,taxonomy}}' = c.taxo_group
          AND w.item #>> %(date_path)s ~ '^-?[0-9]{{1,12}}$'
          AND (to_timestamp((w.item #>> %(date_path)s)::bigint) AT TIME ZONE 'UTC')::date = c.day
       ) AS downloaded
FROM vn_cc c
JOIN {check}.observations_json k ON k.site = c.site AND k.id = c.id
LEFT JOIN vn_changes ch ON ch.site = c.site AND ch.id = c.id
GROUP BY c.site, c.taxo_group, c.day
HAVING count(*) FILTER (WHERE ch.action = 'unconfirmed') > 0
ORDER BY c.site, c.taxo_group, c.day;

-- name: form_changes
-- Forms have no update time: a downloaded form replaces a different one. A form of the copy
-- that the download did not bring goes only when no observation of the copy belongs to it
-- any more (transfer_vn's delete_obs never removes forms) and its days are in the window.
-- An observation belongs to a form as in Client-API-VN's tables: same site and
-- id_form_universal, which _store_observation copies from the enclosing form. The key is
-- optional in the API's form schema; without it nothing links the form to its sightings, so
-- nothing proves it has none left and it is never deleted for that.
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
SELECT w.site, w.id,
       CASE WHEN NOT coalesce(jsonb_typeof(w.item) = 'object' AND w.item ->> '@id' = w.id::text
                              AND w.item ->> 'date_start' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
                              AND w.item ->> 'date_stop' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$', false)
                 THEN 'malformed'
            WHEN k.id IS NULL THEN 'insert'
            -- written since the window's diff poll began (its 64-bit fetched_xid): by that poll,
            -- which fetched it after the download did. A form has no version to compare, and
            -- putting the download's back would undo an edit made during the download in both
            -- copies (the repair copies it to production) until the next window. A row's
            -- 32-bit xmin stands for the latest xid with those bits before this statement's
            -- snapshot's xmax (not age(), whose "now" is the transaction's own first xid: a
            -- row the live sync committed since would read as older). A frozen row (xmin 2, or
            -- its old xmin kept) reads as old, but for one frozen some multiple of 2^32 xids
            -- ago (the chance: the xids since the poll in 2^32), whose update then waits for
            -- the next window.
            WHEN k.xmin::text::bigint >= 3
                 AND mod(pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                         - k.xmin::text::bigint, 4294967296)
                     <= pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                        - %(fetched_xid)s::bigint THEN NULL
            ELSE 'update' END AS action,
       NULL::text AS reason,
       NULL::text AS unchecked
FROM {staging}.forms_json w
LEFT JOIN {check}.forms_json k ON k.site = w.site AND k.id = w.id
WHERE k.id IS NULL OR w.item <> k.item
UNION ALL
SELECT k.site, k.id, 'delete', 'no observation belongs to it', NULL
FROM {check}.forms_json k
JOIN vn_covered_days d ON d.site = k.site
WHERE k.item ->> 'date_start' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
  AND k.item ->> 'date_stop' ~ '^\d{{4}}-\d{{2}}-\d{{2}}$'
  AND daterange((k.item ->> 'date_start')::date, (k.item ->> 'date_stop')::date, '[]') <@ d.days
  AND NOT EXISTS (SELECT FROM {staging}.forms_json w WHERE w.site = k.site AND w.id = k.id)
  AND k.item ->> 'id_form_universal' IS NOT NULL
  AND NOT EXISTS (SELECT FROM {check}.observations_json o
                  WHERE o.site = k.site AND o.id_form_universal = k.item ->> 'id_form_universal');

-- name: place_changes
-- Places are downloaded whole for each site, or commune by commune (territorial_unit_ids): a
-- different one replaces the copy's; one of the copy the download covered (vn_places_cc:
-- coverage.sql covered_places) goes on the source's deletion (a signal), unless an
-- observation of the copy still points to it, and is unconfirmed when the download did not
-- bring it without a signal. One it did not cover is left alone: not brought, it refutes no
-- signal, and its absence says nothing.
CREATE TEMP TABLE vn_changes ON COMMIT DROP AS
WITH candidates AS MATERIALIZED (
    SELECT k.site, k.id FROM {check}.places_json k JOIN vn_signals s USING (site, id)
    WHERE s.deleted_at IS NOT NULL
), referenced AS MATERIALIZED (
    -- the copy's observations are read only when a place may go
    SELECT DISTINCT o.site, o.item #>> '{{place,@id}}' AS place
    FROM {check}.observations_json o
    JOIN candidates c ON c.site = o.site AND c.id::text = o.item #>> '{{place,@id}}'
)
SELECT w.site, w.id,
       CASE WHEN NOT coalesce(jsonb_typeof(w.item) = 'object' AND w.item ->> 'id' = w.id::text,
                              false)
                 THEN 'malformed'
            -- as for observations
            WHEN s.deleted_at IS NOT NULL
                 THEN CASE WHEN k.id IS NULL AND s.weighed AND NOT s.checked
                           THEN 'withheld' END
            WHEN k.id IS NULL THEN 'insert'
            -- as for forms: a place's item has no version the merge could compare
            WHEN k.xmin::text::bigint >= 3
                 AND mod(pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                         - k.xmin::text::bigint, 4294967296)
                     <= pg_snapshot_xmax(pg_current_snapshot())::text::bigint
                        - %(fetched_xid)s::bigint THEN NULL
            ELSE 'update' END AS action,
       NULL::text AS reason,
       NULL::text AS unchecked
FROM {staging}.places_json w
LEFT JOIN {check}.places_json k ON k.site = w.site AND k.id = w.id
LEFT JOIN vn_signals s ON s.site = w.site AND s.id = w.id
WHERE k.id IS NULL OR w.item <> k.item
UNION ALL
SELECT k.site, k.id,
       CASE WHEN s.deleted_at IS NOT NULL
                 THEN CASE WHEN r.place IS NULL THEN 'delete' ELSE 'kept_referenced' END
            ELSE 'unconfirmed' END,
       CASE WHEN s.deleted_at IS NOT NULL THEN 'signal'
            ELSE 'the window download did not bring it' END,
       CASE WHEN s.deleted_at IS NOT NULL AND s.weighed THEN 'inside' END
FROM {check}.places_json k
JOIN vn_places_cc c ON c.site = k.site AND c.id = k.id
LEFT JOIN {staging}.places_json w ON w.site = k.site AND w.id = k.id
LEFT JOIN vn_signals s ON s.site = k.site AND s.id = k.id
LEFT JOIN referenced r ON r.site = k.site AND r.place = k.id::text
WHERE w.id IS NULL OR s.deleted_at IS NOT NULL;

-- name: insert_observations
-- DO NOTHING: transfer_vn (a daily update) may have stored the row since; its version is
-- at least as new.
INSERT INTO {check}.observations_json (id, site, item, update_ts, id_form_universal)
SELECT w.id, w.site, w.item, w.update_ts, w.id_form_universal
FROM vn_changes c JOIN {staging}.observations_json w ON w.site = c.site AND w.id = c.id
WHERE c.action = 'insert'
ON CONFLICT (id, site) DO NOTHING;

-- name: update_observations
UPDATE {check}.observations_json k
SET item = w.item, update_ts = w.update_ts, id_form_universal = w.id_form_universal
FROM vn_changes c JOIN {staging}.observations_json w ON w.site = c.site AND w.id = c.id
WHERE c.action = 'update' AND k.site = c.site AND k.id = c.id AND k.update_ts <= w.update_ts;

-- name: delete_observations
-- Returns, per row deleted, whether it rests on a signal alone, for the deletion guard.
DELETE FROM {check}.observations_json k USING vn_changes c
WHERE c.action = 'delete' AND k.site = c.site AND k.id = c.id
  AND k.update_ts <= (SELECT max(d.deleted_at) FROM maint_assets.vn_deletions d
                      WHERE d.table_name = 'observations_json' AND d.site = k.site
                        AND d.item_id = k.id)
RETURNING c.unchecked;

-- name: insert_items
INSERT INTO {check}.{table} (id, site, item)
SELECT w.id, w.site, w.item
FROM vn_changes c JOIN {staging}.{table} w ON w.site = c.site AND w.id = c.id
WHERE c.action = 'insert'
ON CONFLICT (id, site) DO NOTHING;

-- name: update_items
UPDATE {check}.{table} k SET item = w.item
FROM vn_changes c JOIN {staging}.{table} w ON w.site = c.site AND w.id = c.id
WHERE c.action = 'update' AND k.site = c.site AND k.id = c.id AND k.item <> w.item;

-- name: delete_items
-- As delete_observations.
DELETE FROM {check}.{table} k USING vn_changes c
WHERE c.action = 'delete' AND k.site = c.site AND k.id = c.id
RETURNING c.unchecked;

-- name: record_served
-- The rows of {table} the download brought though a deletion of them was recorded before its
-- start: VisioNature served them to our transfer_vn after that deletion, which refutes it
-- (vn_signals) in this window and, recorded here, in the next ones too. The merge and the
-- repair write with maint_assets.vn_repair set, which the served capture skips, and the
-- window's staging schema has no capture: without this row an old deletion by hand stood
-- again, and counted as checked (it predates the next download), as soon as a later
-- download missed the row (a silent gap), and that window deleted it from both copies. The
-- time is the download's start (each row was served at or after it: this understates how
-- late VisioNature still had it, never overstates), with the second's grace the refutation
-- itself gives (a deletion recorded up to the second after the start counts as before it):
-- a later deletion, the source's too, still stands.
INSERT INTO maint_assets.vn_served (schema_name, table_name, site, item_id, served_at)
SELECT %(staging_schema)s, %(table_name)s, w.site, w.id, %(download_started)s + 1
FROM {staging}.{table} w
WHERE EXISTS (SELECT FROM maint_assets.vn_deletions d
              WHERE d.table_name = %(table_name)s AND d.site = w.site AND d.item_id = w.id
                AND d.deleted_at <= %(download_started)s + 1)
ON CONFLICT (schema_name, table_name, site, item_id)
DO UPDATE SET served_at = greatest(maint_assets.vn_served.served_at, excluded.served_at);

-- name: record_unconfirmed
INSERT INTO maint_assets.vn_window_unconfirmed (window_id, table_name, site, id)
SELECT %(window_id)s, %(table_name)s, site, id FROM vn_changes WHERE action = 'unconfirmed';
