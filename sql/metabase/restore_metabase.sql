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
