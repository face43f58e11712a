-- The repair's check (vn_sync/checks.py): production's observations against the check copy
-- where the latest repair answered for them, read after its commit.

-- name: latest_repair
-- The run of the latest repair that committed (its 'repair' row is written with its changes).
SELECT run_id FROM maint_assets.vn_monitoring
WHERE action = 'repair' AND table_name = %(table_name)s
ORDER BY id DESC LIMIT 1;

-- name: repair_missed
-- The check copy's observations inside the latest window (vn_cc) and those outside its days
-- that our polls brought (vn_cpoll) which production lacks, or holds at an older version, or
-- at the same version with another item, apart from those the repair had cause to leave: a
-- deletion signal as new as the check copy's version that nothing refuted (vn_served: the
-- source served the row after it; a refuted deletion the repair re-inserts), recorded before
-- the repair or since (production's live sync applying the source's deletion, a deletion by
-- hand: recorded, not lost), a row the window download did not bring
-- (vn_window_unconfirmed) and the items the repair listed as unconfirmed or malformed.
SELECT k.site, k.id,
       CASE WHEN p.id IS NULL THEN 'missing from production'
            WHEN p.update_ts < k.update_ts THEN 'older in production'
            ELSE 'another item at the same version' END AS problem
FROM (SELECT site, id FROM vn_cc UNION SELECT site, id FROM vn_cpoll) r
JOIN {check}.observations_json k ON k.site = r.site AND k.id = r.id
LEFT JOIN {production}.observations_json p ON p.site = k.site AND p.id = k.id
WHERE (p.id IS NULL OR p.update_ts < k.update_ts
       OR p.update_ts = k.update_ts AND p.item IS DISTINCT FROM k.item)
  AND NOT EXISTS (SELECT FROM maint_assets.vn_deletions d
                  WHERE d.table_name = 'observations_json' AND d.site = k.site
                    AND d.item_id = k.id AND d.deleted_at >= k.update_ts
                    AND NOT EXISTS (SELECT FROM maint_assets.vn_served v
                                    WHERE v.table_name = 'observations_json'
                                      AND v.site = d.site AND v.item_id = d.item_id
                                      AND v.served_at >= d.deleted_at))
  AND NOT EXISTS (SELECT FROM maint_assets.vn_window_unconfirmed u
                  WHERE u.window_id = %(window_id)s AND u.table_name = 'observations_json'
                    AND u.site = k.site AND u.id = k.id)
  AND NOT EXISTS (SELECT FROM maint_assets.vn_monitoring m
                  WHERE m.run_id = %(run_id)s AND m.table_name = %(table_name)s
                    AND m.action IN ('unconfirmed', 'skipped_malformed')
                    AND m.site = k.site AND m.item_id = k.id)
ORDER BY k.site, k.id;
