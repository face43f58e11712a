-- ingest/schema/ingest_production: the switch of the staging version into production, the
-- versions kept for rollback, and the rollback.

-- name: tables_of
-- Each table with the table at the root of its partition tree in the same schema (itself when
-- it is no partition): a partition goes where its root goes, archived with a loaded table,
-- carried with a users' one.
SELECT c.relname, coalesce(r.relname, c.relname)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class r ON r.oid = pg_partition_root(c.oid) AND r.relnamespace = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') ORDER BY c.relname;

-- name: lock_for_switch
-- Every table the switch alters or replaces, up front: production's versions of the loaded
-- tables (their names are about to mean the new version's), the carried tables (moved), the
-- tables whose foreign keys are re-pointed and the old tables they referenced (dropping a
-- foreign key locks both ends).
LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE;

-- name: keep_vacuum_out
-- Production's and the incoming tables, while the switch prepares and retries: VACUUM and
-- ANALYZE (autovacuum's) take this lock too, and readers and writers do not conflict with it.
LOCK TABLE {tables} IN SHARE UPDATE EXCLUSIVE MODE;

-- name: foreign_keys_into
-- Foreign keys from any table the ingest does not load (a carried users' table, another
-- schema's) into a loaded table: they are re-created against the new version. The definition
-- is read before the renames, so the name it gives the referenced table (production's) is the
-- new version's once it is re-created after them.
SELECT c.conname, c.conrelid, fn.nspname, f.relname, t.relname, pg_get_constraintdef(c.oid)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.confrelid
JOIN pg_class f ON f.oid = c.conrelid
JOIN pg_namespace fn ON fn.oid = f.relnamespace
WHERE c.contype = 'f' AND c.conparentid = 0
  AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND t.relname = ANY(%(loaded)s)
  AND NOT (f.relnamespace = t.relnamespace AND f.relname = ANY(%(loaded)s))
ORDER BY fn.nspname, f.relname, c.conname;

-- name: views_on
-- Views outside the production schema reading a loaded table or one of production's own views
-- (which the switch re-creates): replaced by the same query against the new version, read
-- (like the foreign keys) before the renames. Materialized views cannot be replaced in place;
-- they are reported, and keep their version.
SELECT DISTINCT vn.nspname, v.relname, pg_get_viewdef(v.oid), v.reloptions
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_class t ON t.oid = d.refobjid
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND v.relkind = 'v' AND v.relnamespace <> t.relnamespace
  AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND (t.relname = ANY(%(loaded)s) OR t.relkind IN ('v', 'm'))
ORDER BY vn.nspname, v.relname;

-- name: views_in
-- The views and materialized views of a schema, each after the views of the schema its query
-- reads (chains), with what re-creating one elsewhere needs: its query (read before the
-- renames, so the names it gives production's relations are the new version's once it is
-- re-created after them), options, whether a materialized view holds data, owner, comment,
-- its columns' comments, and the statements of what hangs on it (indexes, triggers, rules
-- other than its query), run once every view exists. The ingest creates tables only: every
-- view in production is someone's. Not an extension's (pg_stat_statements'): the extension
-- moves with its views (schema_objects.py).
WITH RECURSIVE own AS (
  SELECT c.oid FROM pg_class c
  WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
    AND c.relkind IN ('v', 'm')
    AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                    AND e.objid = c.oid AND e.deptype = 'e')
), reads AS (
  SELECT DISTINCT r.ev_class AS view, d.refobjid AS read
  FROM pg_rewrite r
  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                  AND d.refclassid = 'pg_class'::regclass
  WHERE r.rulename = '_RETURN' AND r.ev_class IN (SELECT oid FROM own)
    AND d.refobjid IN (SELECT oid FROM own) AND d.refobjid <> r.ev_class
), depth (oid, n) AS (
  SELECT oid, 0 FROM own
  UNION ALL
  SELECT reads.view, depth.n + 1 FROM reads JOIN depth ON depth.oid = reads.read
)
SELECT %(schema)s::text, c.relname, c.relkind, pg_get_viewdef(c.oid), c.reloptions,
       c.relispopulated,
       pg_get_userbyid(c.relowner), obj_description(c.oid, 'pg_class'),
       ARRAY(SELECT ARRAY[a.attname::text, ds.description]
             FROM pg_attribute a
             JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
                                   AND ds.objsubid = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum),
       ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = c.oid
             ORDER BY i.indexrelid)
       || ARRAY(SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
                WHERE t.tgrelid = c.oid AND NOT t.tgisinternal ORDER BY t.tgname)
       || ARRAY(SELECT pg_get_ruledef(r.oid) FROM pg_rewrite r
                WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN' ORDER BY r.rulename)
FROM (SELECT oid, max(n) AS n FROM depth GROUP BY oid) o
JOIN pg_class c ON c.oid = o.oid
ORDER BY o.n, c.relname;

-- name: columns_views_lose
-- Columns of loaded tables that a view re-created by the switch reads (production's own
-- views, and plain views elsewhere) and the incoming version's table of that name lacks:
-- the switch is refused before anything moves, naming each.
SELECT DISTINCT format('%%I.%%I', vn.nspname, v.relname), t.relname, a.attname
FROM pg_class v
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_rewrite r ON r.ev_class = v.oid
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND t.relkind IN ('r', 'p') AND t.relname = ANY(%(loaded)s)
  AND (v.relnamespace = t.relnamespace AND v.relkind IN ('v', 'm')
       OR v.relnamespace <> t.relnamespace AND v.relkind = 'v')
  AND NOT EXISTS (
    SELECT FROM pg_attribute na
    JOIN pg_class nt ON nt.oid = na.attrelid
    WHERE nt.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
      AND nt.relname = t.relname AND na.attname = a.attname
      AND na.attnum > 0 AND NOT na.attisdropped)
ORDER BY 1, 2, 3;

-- name: columns_changed
-- Columns of production's loaded tables that the incoming version's table of that name lacks
-- (incoming type NULL: one an application's migration added, nmdc-server's alembic upgrade at
-- its deploy, that the tables file does not declare; gone from production at the switch, its
-- values left on the archived version and the application's queries of it failing: refused
-- unless the table's drop_columns lists it) or has with another type (a tables file that
-- declares an application's varchar(255) as text: reported).
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
       format_type(na.atttypid, na.atttypmod)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_class nc ON nc.relname = c.relname AND nc.relkind IN ('r', 'p')
                AND nc.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
LEFT JOIN pg_attribute na ON na.attrelid = nc.oid AND na.attname = a.attname
                         AND na.attnum > 0 AND NOT na.attisdropped
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(loaded)s)
  AND a.attnum > 0 AND NOT a.attisdropped
  AND (na.attrelid IS NULL OR (a.atttypid, a.atttypmod) <> (na.atttypid, na.atttypmod))
ORDER BY 1, a.attnum;

-- name: defaults_lost
-- Columns of production's loaded tables with a default or an identity (a serial key's
-- nextval, an application's migration's server_default) whose column of the same name in the
-- incoming version has neither: inserts that leave the column out get NULL after the switch.
SELECT c.relname, a.attname,
       coalesce(pg_get_expr(d.adbin, d.adrelid), 'generated ' || CASE a.attidentity
                WHEN 'a' THEN 'always' ELSE 'by default' END || ' as identity')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
JOIN pg_class nc ON nc.relname = c.relname AND nc.relkind IN ('r', 'p')
                AND nc.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
JOIN pg_attribute na ON na.attrelid = nc.oid AND na.attname = a.attname
                    AND na.attnum > 0 AND NOT na.attisdropped
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(loaded)s)
  AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
  AND (d.oid IS NOT NULL OR a.attidentity <> '')
  AND na.atthasdef IS FALSE AND na.attidentity = ''
ORDER BY 1, a.attnum;

-- name: loaded_at
-- The transaction that made the incoming version's schema (its load; for an archived version,
-- the switch that archived it, later still), read before the switch alters the schema.
SELECT xmin FROM pg_namespace WHERE nspname = %(schema)s;

-- name: table_of
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = %(oid)s;

-- name: drop_foreign_key
ALTER TABLE {table} DROP CONSTRAINT {constraint};

-- name: add_foreign_key
-- NOT VALID under the switch's locks: validating scans the whole referencing table while
-- every reader waits. Its rows were checked against the new version before the locks (a row
-- the new version no longer satisfies fails the switch, which changes nothing; nmdc-server
-- drops such a user's row instead; or with keep_orphaned_rows is kept, the key left NOT
-- VALID, checking new rows only), and it is validated once the switch committed.
ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition};

-- name: keys_out_of_versions
-- Foreign keys from the tables of archived versions to tables outside them (a users' table
-- carried into production, another schema's): dropped at every switch, so that old rows
-- never hold back (or cascade into) what production's users and applications change. Read
-- under an empty search_path, the definition names every table with its schema.
SELECT n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid), rn.nspname, r.relname
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class r ON r.oid = k.confrelid
JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE k.contype = 'f' AND k.conparentid = 0 AND n.nspname = ANY(%(versions)s)
  AND r.relnamespace <> c.relnamespace
ORDER BY 1, 2, 3;

-- name: referenced_out_of_versions
-- The tables outside the versions that keys_out_of_versions will drop keys into, read before
-- the switch's locks (production's loaded tables among the versions: it is about to become
-- one): dropping a foreign key locks the table it references too, so a writer there refuses
-- an attempt, and is named.
SELECT DISTINCT rn.nspname, r.relname
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class r ON r.oid = k.confrelid
JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE k.contype = 'f' AND k.conparentid = 0
  AND (n.nspname = ANY(%(versions)s) OR n.nspname = %(production)s AND c.relname = ANY(%(loaded)s))
  AND rn.nspname <> ALL(%(versions)s) AND rn.nspname <> %(production)s;

-- name: record_swept_key
UPDATE maint_assets.ingest_versions
SET swept_keys = swept_keys || jsonb_build_array(
    jsonb_build_object('table', %(table)s::text, 'name', %(name)s::text,
                       'definition', %(definition)s::text,
                       'referenced', jsonb_build_array(%(ref_schema)s::text, %(ref_table)s::text)))
WHERE archived_as = %(schema)s;

-- name: swept_key_state
-- Whether production still has the table a swept key was on, and a key of that name on it.
SELECT to_regclass(format('%%I.%%I', %(schema)s::text, %(table)s::text)) IS NOT NULL,
       EXISTS (SELECT FROM pg_constraint k
               WHERE k.conrelid = to_regclass(format('%%I.%%I', %(schema)s::text, %(table)s::text))
                 AND k.conname = %(name)s);

-- name: archived_versions
SELECT archived_as FROM maint_assets.ingest_versions WHERE production = %(production)s;

-- name: replace_view
-- The view's own options again: CREATE OR REPLACE resets those it is not given. Owner,
-- privileges and comments stay.
CREATE OR REPLACE VIEW {view} {options} AS {definition};

-- name: outside_dependents
-- Objects outside a schema that depend on one in it: DROP SCHEMA … CASCADE would drop them
-- (a view, a foreign key, a column default) without a word, so a version they use is kept.
-- An object of a kind not listed here counts as outside: kept rather than dropped.
WITH inside AS (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
SELECT DISTINCT pg_describe_object(d.classid, d.objid, d.objsubid)
FROM pg_depend d
WHERE d.deptype IN ('n', 'a')
  AND CASE d.refclassid
        WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.refobjid)
        WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.refobjid)
        WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.refobjid)
      END = (SELECT oid FROM inside)
  AND CASE d.classid
        WHEN 'pg_class'::regclass THEN (SELECT relnamespace FROM pg_class WHERE oid = d.objid)
        WHEN 'pg_type'::regclass THEN (SELECT typnamespace FROM pg_type WHERE oid = d.objid)
        WHEN 'pg_proc'::regclass THEN (SELECT pronamespace FROM pg_proc WHERE oid = d.objid)
        WHEN 'pg_constraint'::regclass
          THEN (SELECT connamespace FROM pg_constraint WHERE oid = d.objid)
        WHEN 'pg_statistic_ext'::regclass
          THEN (SELECT stxnamespace FROM pg_statistic_ext WHERE oid = d.objid)
        WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite r
                                          JOIN pg_class c ON c.oid = r.ev_class
                                          WHERE r.oid = d.objid)
        WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger t
                                          JOIN pg_class c ON c.oid = t.tgrelid
                                          WHERE t.oid = d.objid)
        WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a
                                          JOIN pg_class c ON c.oid = a.adrelid
                                          WHERE a.oid = d.objid)
        WHEN 'pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_policy p
                                         JOIN pg_class c ON c.oid = p.polrelid
                                         WHERE p.oid = d.objid)
      END IS DISTINCT FROM (SELECT oid FROM inside)
ORDER BY 1;

-- name: owned_sequence_grants
-- The sequences the loaded tables' columns own (a serial's: deptype 'a'; an identity's: 'i'),
-- by table and column, with what others hold on each (one row with NULL grantee for a
-- sequence with none): a role inserting into a loaded table through the column's default
-- needs USAGE or UPDATE on it, and the new version's sequences, made by its load, have none.
SELECT DISTINCT t.relname, a.attname, n.nspname, s.relname,
       CASE g.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END,
       g.privilege_type, g.is_grantable
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_namespace n ON n.oid = s.relnamespace
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
LEFT JOIN LATERAL (SELECT * FROM aclexplode(s.relacl) x WHERE x.grantee <> s.relowner) g
    ON true
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype IN ('a', 'i')
  AND tn.nspname = %(schema)s AND t.relname = ANY(%(loaded)s)
ORDER BY 1, 2, 5, 6;

-- name: carry_over
ALTER TABLE {table} SET SCHEMA {target};

-- name: rename_schema
ALTER SCHEMA {schema} RENAME TO {new_name};

-- name: record_version
INSERT INTO maint_assets.ingest_versions (production, archived_as, run_id, state)
VALUES (%(production)s, %(archived_as)s, %(run_id)s, %(state)s);

-- name: record_switch
-- In the switch's (or rollback's) own transaction: committed with it, or not at all.
INSERT INTO maint_assets.ingest_switches
    (run_id, production, action, switched_in, archived_as, outcome)
VALUES (%(run_id)s, %(production)s, %(action)s, %(switched_in)s, %(archived_as)s,
        %(outcome)s);

-- name: recorded_switch
-- What an earlier attempt of this run committed, if it did.
SELECT switched_in, archived_as, switched_at, outcome FROM maint_assets.ingest_switches
WHERE run_id = %(run_id)s AND production = %(production)s AND action = %(action)s;

-- name: recording_runs
-- The runs whose switches or rollbacks of this production are recorded, longer ago than the
-- grace period, but the caller's.
SELECT DISTINCT run_id FROM maint_assets.ingest_switches
WHERE production = %(production)s AND run_id <> %(run_id)s
  AND switched_at < now() - %(grace)s::interval;

-- name: forget_switches
-- The records of runs that have ended (switch_records.expire says why none can need them).
DELETE FROM maint_assets.ingest_switches
WHERE production = %(production)s AND run_id = ANY(%(run_ids)s)
  AND switched_at < now() - %(grace)s::interval;

-- name: latest_previous
SELECT id, archived_as, swept_keys FROM maint_assets.ingest_versions
WHERE production = %(production)s AND state = 'previous'
ORDER BY switched_at DESC, id DESC LIMIT 1 FOR UPDATE;

-- name: forget_version
DELETE FROM maint_assets.ingest_versions WHERE id = %(id)s;

-- name: expired_versions
-- Those a rollback can switch back in ('previous') count first: a version a rollback replaced
-- is never switched back in by one, and kept ahead of an older 'previous' it pushed out of
-- keep_versions a version the next rollback needed.
SELECT id, archived_as FROM maint_assets.ingest_versions
WHERE production = %(production)s
ORDER BY state = 'previous' DESC, switched_at DESC, id DESC OFFSET %(keep)s;

-- What else users make in the production schema (functions, types, sequences no table owns)
-- moves into the new version with the carried tables; its default privileges are given to
-- the new version (maint_assets/ingest/schema_objects.py).

-- name: routines_in
-- Functions, procedures and aggregates (not an extension's) with their identity arguments.
SELECT p.prokind, p.proname, pg_get_function_identity_arguments(p.oid)
FROM pg_proc p
WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
                  AND e.objid = p.oid AND e.deptype = 'e')
ORDER BY 2, 3;

-- name: types_in
-- Types made on their own (enums, domains, ranges, composites, base types; not a table's or
-- a view's row type, nor an array or multirange type, which move with theirs; not an
-- extension's).
SELECT t.typtype, t.typname
FROM pg_type t
WHERE t.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  AND t.typtype <> 'm'
  AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_type'::regclass
                  AND e.objid = t.oid AND e.deptype = 'e')
ORDER BY 2;

-- name: sequences_in
-- Sequences no column owns (a carried table's move with it).
SELECT c.relname
FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind = 'S'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                  AND d.deptype IN ('a', 'i'))
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                  AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY 1;

-- name: move_routine
ALTER {kind} {routine}({arguments}) SET SCHEMA {target};

-- name: move_type
ALTER {kind} {type} SET SCHEMA {target};

-- name: move_sequence
ALTER SEQUENCE {sequence} SET SCHEMA {target};

-- name: default_privileges_of
-- The schema's ALTER DEFAULT PRIVILEGES: whose new objects, of which kind (r: tables, S:
-- sequences, f: routines, T: types), get what.
SELECT pg_get_userbyid(d.defaclrole), d.defaclobjtype,
       coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'), a.privilege_type
FROM pg_default_acl d
CROSS JOIN LATERAL aclexplode(d.defaclacl) a
WHERE d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
ORDER BY 1, 2, 3, 4;

-- name: grant_by_default
ALTER DEFAULT PRIVILEGES FOR ROLE {role} IN SCHEMA {schema} GRANT {privilege} ON {kind}
TO {grantee};

-- name: extensions_in
-- Extensions whose objects are in the production schema (uuid-ossp, as nmdc-server's
-- migration eb9d9e3f3fbc creates it there), whether ALTER EXTENSION … SET SCHEMA can move
-- them, their owner, and whether the session may (their owner alone, or a member of it).
SELECT e.extname, e.extrelocatable, pg_get_userbyid(e.extowner),
       pg_has_role(e.extowner, 'USAGE')
FROM pg_extension e
WHERE e.extnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
ORDER BY 1;

-- name: move_extension
ALTER EXTENSION {extension} SET SCHEMA {target};
