-- Restoring a backup into Metabase's application database (the restore_metabase job).

-- name: drop_app_objects
-- Run first, in the restore's transaction. pg_restore --clean drops only the objects the
-- backup holds: a table a Metabase upgrade added after the backup stayed, while the changelog
-- listing its migration was rolled back (Metabase then fails on the next upgrade). Every
-- table, view, sequence, routine and type of the database's schemas goes, so the restore
-- leaves exactly the backup's objects. Extension members are left to their extension; the
-- database and its schemas stay, with their owner, grants and settings.
DO $$
DECLARE
    victim record;
BEGIN
    FOR victim IN
        WITH user_schemas AS (
            SELECT oid FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema')
              AND nspname NOT LIKE 'pg\_%'
        ), members AS (
            SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
        )
        SELECT 1 AS pass,
               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                              WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                              ELSE 'TABLE' END AS kind,
               c.oid::regclass::text AS name
        FROM pg_class c
        WHERE c.relnamespace IN (SELECT oid FROM user_schemas)
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition
          AND (c.tableoid, c.oid) NOT IN (SELECT classid, objid FROM members)
          -- a sequence owned by a column (serial, identity) goes with its table: an identity
          -- sequence cannot be dropped alone, and one keeps its name when its table is
          -- renamed (Metabase 46's sandboxes owns group_table_access_policy_id_seq), so it
          -- may come before its table here
          AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT 2, 'ROUTINE', p.oid::regprocedure::text
        FROM pg_proc p
        WHERE p.pronamespace IN (SELECT oid FROM user_schemas)
          AND (p.tableoid, p.oid) NOT IN (SELECT classid, objid FROM members)
        UNION ALL
        -- enums, domains, ranges, composite types of their own and base types; not the row
        -- type of a table nor an array type, which go with theirs
        SELECT 3, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text
        FROM pg_type t
        WHERE t.typnamespace IN (SELECT oid FROM user_schemas)
          AND t.typtype IN ('e', 'd', 'r', 'c', 'b') AND t.typcategory <> 'A'
          AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
          AND (t.tableoid, t.oid) NOT IN (SELECT classid, objid FROM members)
        ORDER BY 1, 3
    LOOP
        -- IF EXISTS: an earlier CASCADE may have taken it (a view on a dropped table, a
        -- sequence its table owned)
        EXECUTE format('DROP %s IF EXISTS %s CASCADE', victim.kind, victim.name);
    END LOOP;
END $$;

-- name: extension_versions
-- Recorded in each backup's manifest: a restore that leaves an extension in place checks
-- the target's version against the backup's.
SELECT extname, extversion FROM pg_extension ORDER BY 1;

-- name: installed_extensions
-- The target's extensions: version, the name as pg_dump quotes it in a COMMENT entry's tag
-- (quote_ident follows the same rule as its fmtId), and whether this role may drop it (its
-- owner, a member of the owner's role, or a superuser).
SELECT extname, extversion, quote_ident(extname), pg_has_role(extowner, 'USAGE')
FROM pg_extension;

-- name: extension_config_relations
-- The tables and sequences an extension marked as configuration (PostGIS's spatial_ref_sys):
-- pg_dump writes their data, which belongs to the extension left in place.
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE SET' ELSE 'TABLE DATA' END, n.nspname, c.relname
FROM pg_extension e
CROSS JOIN LATERAL unnest(e.extconfig) AS config(oid)
JOIN pg_class c ON c.oid = config.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE e.extname = %(name)s;

-- name: extension_creatable
-- Whether this role may create the extension here, by CREATE EXTENSION's own rule: its
-- default version is installed on the server and needs no superuser, or the role is one,
-- or the version is trusted and the role may create in this database. No row: not installed
-- on the server at all.
SELECT NOT v.superuser
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR (v.trusted AND has_database_privilege(current_database(), 'CREATE'))
FROM pg_available_extensions a
JOIN pg_available_extension_versions v ON v.name = a.name AND v.version = a.default_version
WHERE a.name = %(name)s;

-- name: extension_update_reachable
-- Whether the installed version is the backup's or one ALTER EXTENSION UPDATE reaches from
-- it: the objects the backup's tables use are then still there.
SELECT %(recorded)s = %(installed)s
       OR EXISTS (SELECT 1 FROM pg_extension_update_paths(%(name)s)
                  WHERE source = %(recorded)s AND target = %(installed)s AND path IS NOT NULL);

-- name: verify_restored
-- Run last, in the restore's transaction, by psql: :'expected_views' and :'expected_rows' are
-- the backup's record (JSON) of its views' definitions (pg_get_viewdef, as
-- core/databases.sql view_definitions reads them) and of its tables' row counts. A view
-- that did not come back as recorded, or a table that holds another count, fails the
-- restore before its commit, naming them, so the target keeps its content: compared after
-- the commit, the mismatch failed the run with the backup's content already in place.
-- pg_dump's script empties search_path, which makes pg_get_viewdef qualify every name: back
-- to the database's own, which the record was read with.
RESET search_path;
SELECT set_config('maint_assets.expected_views', :'expected_views', true),
       set_config('maint_assets.expected_rows', :'expected_rows', true);
DO $$
DECLARE
    wrong_views text;
    wrong_rows text := NULL;
    expected record;
    found bigint;
BEGIN
    SELECT string_agg(e.key, ', ' ORDER BY e.key) INTO wrong_views
    FROM jsonb_each_text(current_setting('maint_assets.expected_views')::jsonb) e
    WHERE e.value IS DISTINCT FROM (
        SELECT pg_get_viewdef(c.oid, true)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND n.nspname || '.' || c.relname = e.key);
    FOR expected IN
        SELECT e.key, e.value::bigint AS count
        FROM jsonb_each_text(current_setting('maint_assets.expected_rows')::jsonb) e
        ORDER BY e.key
    LOOP
        -- the record names a table schema.table, split at its first dot
        EXECUTE format('SELECT count(*) FROM %I.%I', split_part(expected.key, '.', 1),
                       substr(expected.key, strpos(expected.key, '.') + 1))
        INTO found;
        IF found <> expected.count THEN
            wrong_rows := concat_ws(', ', wrong_rows,
                                    format('%s (%s rows, the backup has %s)',
                                           expected.key, found, expected.count));
        END IF;
    END LOOP;
    IF wrong_views IS NOT NULL OR wrong_rows IS NOT NULL THEN
        RAISE EXCEPTION 'the restored content differs from the backup''s record, so the '
                        'restore is rolled back: %',
              concat_ws('; ', 'views missing or defined otherwise: ' || wrong_views,
                        'row counts: ' || wrong_rows);
    END IF;
END $$;

-- name: release_migration_lock
-- Run after verify_restored, in the restore's transaction. A backup taken while Metabase ran
-- its migrations (an upgrade) holds Liquibase's lock, committed as locked = true (Metabase
-- before its session lock, metabase/metabase#53158): the restored Metabase would refuse to
-- start ("Database has migration lock ... migrate release-locks"). No Metabase is connected
-- (other_sessions), so none migrates: released as release-locks does; it resumes from the
-- changelog the backup holds.
DO $$ BEGIN
    IF to_regclass('public.databasechangeloglock') IS NOT NULL THEN
        UPDATE public.databasechangeloglock
        SET locked = false, lockgranted = NULL, lockedby = NULL WHERE locked;
    END IF;
END $$;

-- name: other_sessions
-- Who else is connected to the database to restore: Metabase still running (its pool's
-- connections), or anyone the restore's drops would wait for. Visible to any role: pid,
-- user, application and start (not their queries).
SELECT pid, usename::text, application_name, date_trunc('second', backend_start)::text
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
  AND backend_type = 'client backend'
ORDER BY backend_start;
