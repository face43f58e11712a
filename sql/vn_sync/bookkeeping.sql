-- The bookkeeping of maint_assets/vn_sync/bookkeeping.py: the deletion capture on both copies,
-- what either copy's transfer_vn stored again after a recorded deletion, and the rows of the
-- monitoring table.

-- The source's deletion signal, as each copy receives it: Client-API-VN 2.12 deletes a row of
-- observations_json or places_json only in --update, for an item the diff endpoint reports
-- with modification_type "deleted" (Observations.update -> delete_obs, Places.update ->
-- delete_place). An AFTER DELETE row trigger on both copies writes each such deletion to
-- maint_assets.vn_deletions. The repair's own deletions set maint_assets.vn_repair and are
-- not recorded. Installed once (each statement is run only when the catalog lacks it).

-- name: function_state
-- 'missing', 'current', or 'outdated': a function installed before it recorded the
-- session's application_name, whose signals the repair cannot tell from a DELETE by hand.
SELECT CASE WHEN p.oid IS NULL THEN 'missing'
            WHEN position('application_name' IN p.prosrc) > 0 THEN 'current'
            ELSE 'outdated' END
FROM (SELECT to_regprocedure('maint_assets.vn_capture_deletion()') AS fn) f
LEFT JOIN pg_proc p ON p.oid = f.fn;

-- name: create_function
-- SECURITY DEFINER: the live sync's own role deletes from production and must not need any
-- right on maint_assets; a failure here is only a warning, so it can never stop that sync.
-- The session's application_name tells our own transfer_vn ('transfer_vn', see
-- create_served_function) from a person's DELETE (reconcile.sql weighs the latter).
CREATE OR REPLACE FUNCTION maint_assets.vn_capture_deletion() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('maint_assets.vn_repair', true), '') <> 'on' THEN
        BEGIN
            INSERT INTO maint_assets.vn_deletions
                (schema_name, table_name, site, item_id, update_ts, deleted_at,
                 application_name)
            VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.site, OLD.id,
                    (to_jsonb(OLD) ->> 'update_ts')::bigint, extract(epoch FROM now())::bigint,
                    current_setting('application_name'));
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'maint_assets could not record the deletion of %.% (%, %): %',
                TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.site, OLD.id, SQLERRM;
        END;
    END IF;
    RETURN NULL;
END $$;

-- name: trigger_exists
SELECT EXISTS (SELECT FROM pg_trigger
               WHERE tgrelid = to_regclass(%(table)s) AND tgname = 'maint_assets_vn_deletions');

-- name: create_trigger
CREATE TRIGGER maint_assets_vn_deletions AFTER DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION maint_assets.vn_capture_deletion();

-- name: served_function_state
-- 'missing', 'current', or 'outdated': a function installed before it looked at the
-- session's application_name, which recorded a person's INSERT as served.
SELECT CASE WHEN p.oid IS NULL THEN 'missing'
            WHEN position('application_name' IN p.prosrc) > 0 THEN 'current'
            ELSE 'outdated' END
FROM (SELECT to_regprocedure('maint_assets.vn_capture_served()') AS fn) f
LEFT JOIN pg_proc p ON p.oid = f.fn;

-- name: create_served_function
-- A deletion signal is only a claim: an operator's DELETE is captured like the source's diff.
-- Client-API-VN 2.12 stores each sighting it downloads (store_1_observation) with INSERT ...
-- ON CONFLICT DO UPDATE ... WHERE update_ts < the new one, so an unchanged row is not written
-- again and the row's presence proves nothing; each place (_store_simple, from a --full's
-- Places.store or an --update's "updated" diff) with INSERT ... ON CONFLICT DO UPDATE SET
-- item, which leaves no trace of when. A BEFORE INSERT row trigger fires for every row
-- proposed, written or not. So each row transfer_vn stores in either copy's
-- observations_json or places_json after a deletion of it was recorded is written to
-- maint_assets.vn_served: VisioNature served it then, to the check copy's transfer_vn or to
-- production's live sync (whose poll stores a correction made before a deletion by hand
-- and polled after it). A session that names another program does not count: a person's
-- INSERT after a deletion (psql, pgAdmin, DBeaver name themselves) proves nothing about the
-- source. transfer_vn (psycopg2 under SQLAlchemy) sets no application_name of its own, so
-- libpq takes PGAPPNAME: every transfer_vn maint_assets runs has it set to 'transfer_vn'
-- (client_api_vn.py). An unnamed session counts too: the operator's own crons (the live
-- sync, an adopted check copy) run transfer_vn unnamed, and missing their proof would let
-- a repair delete a row VisioNature still serves; a hand script's unnamed INSERT is the
-- price, and it errs towards keeping the row. Our own merge and repair
-- (maint_assets.vn_repair set) are not transfer_vn and are not recorded; the merge records
-- the rows its window download brought after their deletion itself (vn_check_copy.sql
-- record_served), the download's staging schema having no capture.
-- Like the deletion capture, a failure is only a warning and never stops transfer_vn.
CREATE OR REPLACE FUNCTION maint_assets.vn_capture_served() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('maint_assets.vn_repair', true), '') <> 'on'
       AND current_setting('application_name') IN ('transfer_vn', '') THEN
        BEGIN
            IF EXISTS (SELECT FROM maint_assets.vn_deletions d
                       WHERE d.table_name = TG_TABLE_NAME AND d.site = NEW.site
                         AND d.item_id = NEW.id) THEN
                INSERT INTO maint_assets.vn_served
                    (schema_name, table_name, site, item_id, served_at)
                VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, NEW.site, NEW.id,
                        extract(epoch FROM now())::bigint)
                ON CONFLICT (schema_name, table_name, site, item_id)
                DO UPDATE SET served_at = greatest(maint_assets.vn_served.served_at,
                                                   excluded.served_at);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'maint_assets could not record that %.% (%, %) was served: %',
                TG_TABLE_SCHEMA, TG_TABLE_NAME, NEW.site, NEW.id, SQLERRM;
        END;
    END IF;
    RETURN NEW;
END $$;

-- name: served_trigger_exists
SELECT EXISTS (SELECT FROM pg_trigger
               WHERE tgrelid = to_regclass(%(table)s) AND tgname = 'maint_assets_vn_served');

-- name: create_served_trigger
CREATE TRIGGER maint_assets_vn_served BEFORE INSERT ON {table}
FOR EACH ROW EXECUTE FUNCTION maint_assets.vn_capture_served();

-- name: function_rights
-- What replacing (or creating) one of the capture's functions needs of the session's role,
-- as PostgreSQL 15 checks it: CREATE on schema maint_assets, and to replace one, the
-- function's ownership (its owner's privileges, as a member of it). NULL owner: missing.
SELECT current_user, pg_get_userbyid(n.nspowner), has_schema_privilege(n.oid, 'CREATE'),
       pg_get_userbyid(p.proowner), pg_has_role(p.proowner, 'USAGE')
FROM pg_namespace n
LEFT JOIN pg_proc p ON p.pronamespace = n.oid AND p.proname = %(function)s AND p.pronargs = 0
WHERE n.nspname = 'maint_assets';

-- name: trigger_rights
-- What CREATE TRIGGER needs: USAGE on the table's schema, TRIGGER on the table (its owner
-- and members of the owner have it) and EXECUTE on the function. By name through the
-- catalog, which any role reads (to_regclass would itself need USAGE on the schema).
SELECT current_user, has_schema_privilege(n.oid, 'USAGE'), has_table_privilege(c.oid, 'TRIGGER'),
       pg_get_userbyid(c.relowner),
       has_function_privilege(
           (SELECT p.oid FROM pg_proc p JOIN pg_namespace f ON f.oid = p.pronamespace
            WHERE f.nspname = 'maint_assets' AND p.proname = %(function)s AND p.pronargs = 0),
           'EXECUTE')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(table)s;

-- name: record_trigger
INSERT INTO maint_assets.vn_capture (schema_name, table_name, installed_at)
VALUES (%(schema)s, %(table)s, extract(epoch FROM now())::bigint)
ON CONFLICT (schema_name, table_name) DO UPDATE SET installed_at = excluded.installed_at;

-- name: repairing
-- For the rest of the transaction, deletions are the repair's, not the source's.
SELECT set_config('maint_assets.vn_repair', 'on', true);

-- name: missing_tables
SELECT s || '.' || t
FROM unnest(%(schemas)s::text[]) AS s CROSS JOIN unnest(%(tables)s::text[]) AS t
WHERE to_regclass(format('%%I.%%I', s, t)) IS NULL
ORDER BY 1;

-- name: signals_since
SELECT count(*) FROM maint_assets.vn_deletions
WHERE schema_name = %(schema)s AND deleted_at >= %(since)s;

-- name: record
-- Every fact of a run: its writes per table, deletion counts, failure, refusal, partial
-- download cells, skipped or unconfirmed items.
INSERT INTO maint_assets.vn_monitoring
    (action, count, table_name, run_id, site, item_id, detail)
VALUES (%(action)s, %(count)s, %(table_name)s, %(run_id)s, %(site)s, %(item_id)s, %(detail)s);

-- name: recorded
-- Whether the run already recorded the action: a step run again after its session was lost at
-- COMMIT finds what the lost attempt committed.
SELECT EXISTS (
    SELECT 1 FROM maint_assets.vn_monitoring WHERE run_id = %(run_id)s AND action = %(action)s
);

-- name: record_runbook
-- The runbook's monitoring table (fix_synchro.sql's dbadmin.monitoring_vn_check_to_prod):
-- the repair's 'insert' and 'update' rows of production's observations, as it wrote them.
INSERT INTO dbadmin.monitoring_vn_check_to_prod (action, count, table_name, run_id)
VALUES (%(action)s, %(count)s, %(table_name)s, %(run_id)s);

-- name: runbook_procedures
-- The runbook's own repair (fix_synchro.sql: src_vn_json_check.fct_fix_sync, which
-- transfer_vn_full_2w.sh CALLs after each weekly --full) when still installed: left in that
-- script, it copies into production every row of the check copy production lacks, without
-- the window, the unconfirmed rows or the deletion guards of this repair.
SELECT p.oid::regprocedure::text FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = %(schema)s AND p.proname = 'fct_fix_sync'
ORDER BY 1;
