-- ingest/schema/ingest_production: the switch of the staging version into production, the
-- versions kept for rollback, and the rollback.

-- name: tables_of
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') ORDER BY c.relname;

-- name: lock_for_switch
-- Every table the switch alters or replaces, up front: production's versions of the loaded
-- tables (their names are about to mean the new version's), the carried tables (moved), the
-- tables whose foreign keys are re-pointed and the old tables they referenced (dropping a
-- foreign key locks both ends).
LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE;

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
-- view in production is someone's.
WITH RECURSIVE own AS (
  SELECT oid FROM pg_class
  WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
    AND relkind IN ('v', 'm')
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

-- name: table_of
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = %(oid)s;

-- name: drop_foreign_key
ALTER TABLE {table} DROP CONSTRAINT {constraint};

-- name: add_foreign_key
-- Validated here, under the switch's locks: a row the new version no longer satisfies fails
-- the switch, which changes nothing (nmdc-server drops such a user's row instead).
ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition};

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

-- name: carry_over
ALTER TABLE {table} SET SCHEMA {target};

-- name: rename_schema
ALTER SCHEMA {schema} RENAME TO {new_name};

-- name: record_version
INSERT INTO maint_assets.ingest_versions (production, archived_as, run_id, state)
VALUES (%(production)s, %(archived_as)s, %(run_id)s, %(state)s);

-- name: latest_previous
SELECT id, archived_as FROM maint_assets.ingest_versions
WHERE production = %(production)s AND state = 'previous'
ORDER BY switched_at DESC, id DESC LIMIT 1 FOR UPDATE;

-- name: forget_version
DELETE FROM maint_assets.ingest_versions WHERE id = %(id)s;

-- name: expired_versions
SELECT id, archived_as FROM maint_assets.ingest_versions
WHERE production = %(production)s
ORDER BY switched_at DESC, id DESC OFFSET %(keep)s;

-- What production's versions of the loaded tables hold besides their rows (owner, row-level
-- security, policies, column privileges, comments, triggers, a DBA's indexes), carried onto
-- the new version by the switch (maint_assets/ingest/attachments.py).

-- name: attachments_lose
-- Policies, triggers, indexes, column comments and column privileges of production's loaded
-- tables that use a column the incoming version's table of that name lacks.
WITH uses AS (
  SELECT CASE d.classid WHEN 'pg_policy'::regclass THEN 'policy'
                        WHEN 'pg_trigger'::regclass THEN 'trigger' ELSE 'index' END AS kind,
         coalesce(p.polname, tg.tgname, ic.relname) AS name, d.refobjid AS rel,
         d.refobjsubid AS attnum
  FROM pg_depend d
  LEFT JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND p.oid = d.objid
  LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
                          AND NOT tg.tgisinternal
  LEFT JOIN pg_class ic ON d.classid = 'pg_class'::regclass AND ic.oid = d.objid
                        AND ic.relkind = 'i'
  WHERE d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
    AND coalesce(p.oid, tg.oid, ic.oid) IS NOT NULL
  UNION
  SELECT 'comment on column', NULL, ds.objoid, ds.objsubid
  FROM pg_description ds WHERE ds.classoid = 'pg_class'::regclass AND ds.objsubid > 0
  UNION
  SELECT 'column privilege', NULL, a.attrelid, a.attnum
  FROM pg_attribute a WHERE a.attacl IS NOT NULL AND a.attnum > 0
)
SELECT DISTINCT u.kind, u.name, t.relname, a.attname
FROM uses u
JOIN pg_class t ON t.oid = u.rel
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = u.attnum AND NOT a.attisdropped
WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND t.relkind IN ('r', 'p') AND t.relname = ANY(%(loaded)s)
  AND NOT EXISTS (
    SELECT FROM pg_attribute na
    JOIN pg_class nt ON nt.oid = na.attrelid
    WHERE nt.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
      AND nt.relname = t.relname AND na.attname = a.attname
      AND na.attnum > 0 AND NOT na.attisdropped)
ORDER BY 3, 1, 2, 4;

-- name: indexes_to_carry
-- Indexes of production's loaded tables (not a constraint's: the loader makes the primary
-- key) that the incoming version's table has no index like (same method, columns by name,
-- operator classes, collations, orderings, expressions, predicate): a DBA's. The statement
-- that makes one is its own definition with the index and the table it names cut off, so it
-- is built on the incoming table, named as in production.
WITH sig AS (
  SELECT n.nspname AS schema, c.relname AS tab, ic.relname AS idx, i.indisunique AS is_unique,
         i.indexrelid,
         'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX '
           || quote_ident(ic.relname) || ' ON '
           || CASE WHEN pg_table_is_visible(c.oid) THEN quote_ident(c.relname)
                   ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END
           || ' USING ' AS prefix,
         ROW(ic.relam, i.indisunique, i.indnullsnotdistinct, i.indnkeyatts,
             ARRAY(SELECT coalesce(a.attname::text, '')
                   FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, o)
                   LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   ORDER BY k.o),
             i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[],
             pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid))::text
           AS signature
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE n.nspname IN (%(schema)s, %(incoming)s) AND c.relkind IN ('r', 'p')
    AND c.relname = ANY(%(loaded)s)
    AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid
                    AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
)
SELECT p.tab, p.idx, starts_with(pg_get_indexdef(p.indexrelid), p.prefix),
       p.is_unique, substr(pg_get_indexdef(p.indexrelid), length(p.prefix) + 1)
FROM sig p
WHERE p.schema = %(schema)s
  AND NOT EXISTS (SELECT FROM sig n WHERE n.schema = %(incoming)s AND n.tab = p.tab
                  AND n.signature = p.signature)
ORDER BY 1, 2;

-- name: create_index
CREATE {unique} INDEX {index} ON {table} USING {definition};

-- name: table_attachments
-- Owner, row-level security and comment of each of a schema's loaded tables.
SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity,
       obj_description(c.oid, 'pg_class')
FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(loaded)s)
ORDER BY 1;

-- name: column_comments_of
-- Those of columns the incoming version's table has too (the others are reported).
SELECT c.relname, a.attname, ds.description
FROM pg_description ds
JOIN pg_class c ON c.oid = ds.objoid AND ds.classoid = 'pg_class'::regclass
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ds.objsubid AND NOT a.attisdropped
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(loaded)s) AND ds.objsubid > 0
  AND EXISTS (SELECT FROM pg_attribute na JOIN pg_class nt ON nt.oid = na.attrelid
              WHERE nt.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
                AND nt.relname = c.relname AND na.attname = a.attname AND NOT na.attisdropped)
ORDER BY 1, a.attnum;

-- name: column_grants_of
-- Column privileges, read from each column's ACL (a column's ACL lists no owner), of
-- columns the incoming version's table has too.
SELECT c.relname, a.attname, coalesce(pg_get_userbyid(nullif(x.grantee, 0)), 'PUBLIC'),
       x.privilege_type
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
CROSS JOIN LATERAL aclexplode(a.attacl) x
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(loaded)s)
  AND EXISTS (SELECT FROM pg_attribute na JOIN pg_class nt ON nt.oid = na.attrelid
              WHERE nt.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
                AND nt.relname = c.relname AND na.attname = a.attname AND NOT na.attisdropped)
ORDER BY 1, a.attnum, 3, 4;

-- name: policies_of
-- Row-level security policies, their expressions read before the renames (like a view's
-- query: the names they give production's relations are the new version's once re-created
-- after them).
SELECT c.relname, p.polname, p.polpermissive, p.polcmd,
       ARRAY(SELECT coalesce(pg_get_userbyid(nullif(r, 0)), 'PUBLIC')
             FROM unnest(p.polroles) r ORDER BY 1),
       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relname = ANY(%(loaded)s)
ORDER BY 1, 2;

-- name: triggers_of
-- Users' triggers (not a foreign key's), each with its CREATE statement and whether it fires
-- (O: origin and local, D: disabled, R: replica only, A: always).
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relname = ANY(%(loaded)s) AND NOT t.tgisinternal AND t.tgparentid = 0
ORDER BY 1, 2;

-- name: owner_of_table
ALTER TABLE {table} OWNER TO {owner};

-- name: comment_on_table
COMMENT ON TABLE {table} IS {comment};

-- name: comment_on_column
COMMENT ON COLUMN {column} IS {comment};

-- name: grant_on_column
GRANT {privilege} ({column}) ON TABLE {table} TO {grantee};

-- name: row_security
ALTER TABLE {table} {enable} ROW LEVEL SECURITY, {force} ROW LEVEL SECURITY;

-- name: drop_policy
DROP POLICY {policy} ON {table};

-- name: create_policy
CREATE POLICY {policy} ON {table} AS {kind} FOR {command} TO {roles} {using} {check};

-- name: drop_trigger
DROP TRIGGER {trigger} ON {table};

-- name: trigger_state
ALTER TABLE {table} {state} TRIGGER {trigger};

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
