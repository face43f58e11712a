-- The runbook's monitoring table (fix_synchro.sql's dbadmin.monitoring_vn_check_to_prod):
-- its 'insert' and 'update' rows as before, plus one row per deletion count, failure,
-- refusal, partial download cell, and skipped or unconfirmed item.

-- name: record
INSERT INTO dbadmin.monitoring_vn_check_to_prod
    (action, count, table_name, run_id, site, item_id, detail)
VALUES (%(action)s, %(count)s, %(table_name)s, %(run_id)s, %(site)s, %(item_id)s, %(detail)s);
