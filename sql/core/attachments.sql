-- What a replaced table holds besides its rows (owner, row-level security, policies, column
-- privileges, comments, triggers, a DBA's indexes, constraints and extended statistics),
-- carried onto its replacement: the ingest's production switch and the catalogue's swap of
-- public.datasets (maint_assets/core/attachments.py). Parameters: schema, where the replaced
-- tables are; incoming, where their replacements are built; loaded, the tables. names.

-- name: attachments_lose
-- Policies, triggers, indexes, constraints, extended statistics, column comments and column
-- privileges of the replaced tables that use a column the replacement of that name lacks.
WITH uses AS (
  SELECT CASE d.classid WHEN 'pg_policy'::regclass THEN 'policy'
                        WHEN 'pg_trigger'::regclass THEN 'trigger'
                        WHEN 'pg_constraint'::regclass THEN 'constraint'
                        WHEN 'pg_statistic_ext'::regclass THEN 'statistics'
                        ELSE 'index' END AS kind,
         coalesce(p.polname, tg.tgname, k.conname, st.stxname, ic.relname) AS name,
         d.refobjid AS rel, d.refobjsubid AS attnum
  FROM pg_depend d
  LEFT JOIN pg_policy p ON d.classid = 'pg_policy'::regclass AND p.oid = d.objid
  LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
                          AND NOT tg.tgisinternal
  LEFT JOIN pg_constraint k ON d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
                            AND (k.contype IN ('c', 'u', 'x')
                                 OR k.contype = 'f' AND k.conrelid = d.refobjid)
  LEFT JOIN pg_statistic_ext st ON d.classid = 'pg_statistic_ext'::regclass
                                AND st.oid = d.objid
  LEFT JOIN pg_class ic ON d.classid = 'pg_class'::regclass AND ic.oid = d.objid
                        AND ic.relkind = 'i'
                        AND NOT EXISTS (SELECT FROM pg_constraint ck
                                        WHERE ck.conindid = ic.oid AND ck.contype IN ('u', 'x'))
  WHERE d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
    AND coalesce(p.oid, tg.oid, k.oid, st.oid, ic.oid) IS NOT NULL
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
-- Indexes of the replaced tables (not a constraint's: the loader makes the primary key, and a
-- DBA's constraints are carried as such) that the replacement has no index like (same
-- method, columns by name, operator classes, collations, orderings, expressions, predicate):
-- a DBA's. The statement that makes one is its own definition with the index and the table it
-- names (always schema-qualified) cut off, so it is built on the replacement, named as before.
WITH sig AS (
  SELECT n.nspname AS schema, c.relname AS tab, ic.relname AS idx, i.indisunique AS is_unique,
         i.indexrelid,
         'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX '
           || quote_ident(ic.relname) || ' ON ' || quote_ident(n.nspname) || '.'
           || quote_ident(c.relname) || ' USING ' AS prefix,
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
-- Owner, row-level security and comment of each of a schema's tables of those names.
SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity,
       obj_description(c.oid, 'pg_class')
FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(loaded)s)
ORDER BY 1;

-- name: column_comments_of
-- Those of columns the replacement has too (the others are reported).
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
-- Column privileges, with whether with grant option, read from each column's ACL (a column's
-- ACL lists no owner), of columns the replacement has too.
SELECT c.relname, a.attname, coalesce(pg_get_userbyid(nullif(x.grantee, 0)), 'PUBLIC'),
       x.privilege_type, x.is_grantable
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
CROSS JOIN LATERAL aclexplode(a.attacl) x
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relkind IN ('r', 'p') AND c.relname = ANY(%(loaded)s)
  AND EXISTS (SELECT FROM pg_attribute na JOIN pg_class nt ON nt.oid = na.attrelid
              WHERE nt.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
                AND nt.relname = c.relname AND na.attname = a.attname AND NOT na.attisdropped)
ORDER BY 1, a.attnum, 3, 4, 5;

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
GRANT {privilege} ({column}) ON TABLE {table} TO {grantee} {option};

-- name: revoke_on_column
-- A version switched back in keeps no column privilege (or grant option) the replaced one no
-- longer had; CASCADE: with what the grantee passed on, given back after where it was kept.
REVOKE {option} {privilege} ({column}) ON TABLE {table} FROM {grantee} CASCADE;

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


-- name: constraints_to_carry
-- A DBA's CHECK, UNIQUE and EXCLUDE constraints of the replaced tables (not inherited from a
-- parent) that the replacement has none like (same kind and definition: the loader's own row
-- checks are on both, and not doubled), each with its definition, added to the replacement
-- before the swap's locks: validating it scans the new rows, which no reader sees yet.
SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relname = ANY(%(loaded)s) AND k.contype IN ('c', 'u', 'x') AND k.conislocal
  AND k.conparentid = 0
  AND NOT EXISTS (
    SELECT FROM pg_constraint nk JOIN pg_class nc ON nc.oid = nk.conrelid
    WHERE nc.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
      AND nc.relname = c.relname AND nk.contype = k.contype
      AND pg_get_constraintdef(nk.oid) = pg_get_constraintdef(k.oid))
ORDER BY 1, 2;

-- name: add_constraint
ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition};

-- name: foreign_keys_between
-- Foreign keys from one replaced table to another (nmdc-server's biosample into study) that
-- the replacement has none like (the same columns into the same columns of the replacement of
-- the table referenced), each with its definition, added to the replacement before the swap's
-- locks, into the replacement of the table it references, and validated there: a key the new
-- rows break refuses the swap, naming it. Read under a search_path of the replaced tables'
-- schema alone (``search_path``), which prints the referenced table's name bare, and added
-- under the incoming schema's, where that name is its replacement.
WITH keys AS (
  SELECT k.oid, k.conname, f.relname AS tab, t.relname AS ref, f.relnamespace AS nsp,
         ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n
               ORDER BY u.o) AS cols,
         ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n
               ORDER BY u.o) AS refcols
  FROM pg_constraint k
  JOIN pg_class f ON f.oid = k.conrelid
  JOIN pg_class t ON t.oid = k.confrelid
  WHERE k.contype = 'f' AND k.conparentid = 0 AND t.relnamespace = f.relnamespace
    AND f.relname = ANY(%(loaded)s) AND t.relname = ANY(%(loaded)s)
    AND f.relnamespace IN (SELECT oid FROM pg_namespace
                           WHERE nspname IN (%(schema)s, %(incoming)s))
)
SELECT k.tab, k.conname, pg_get_constraintdef(k.oid)
FROM keys k
WHERE k.nsp = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND NOT EXISTS (
    SELECT FROM keys n
    WHERE n.nsp = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
      AND n.tab = k.tab AND n.ref = k.ref AND n.cols = k.cols AND n.refcols = k.refcols)
ORDER BY 1, 2;

-- name: foreign_keys_out
-- Foreign keys from a replaced table to a table that is not replaced (a users' table the
-- ingest carries over, another schema's), but those using a column the replacement lacks
-- (reported by attachments_lose): added to the replacement once it has the name, in the
-- swap's transaction. Read before the swap, so the name the definition gives the referenced
-- table is the one it has after it; with the replaced table's oid, to check the new rows
-- against the key before the swap (foreign_key_columns).
SELECT f.relname, k.conname, pg_get_constraintdef(k.oid), f.oid
FROM pg_constraint k
JOIN pg_class f ON f.oid = k.conrelid
JOIN pg_class t ON t.oid = k.confrelid
WHERE k.contype = 'f' AND k.conparentid = 0
  AND f.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND f.relname = ANY(%(loaded)s)
  AND NOT (t.relnamespace = f.relnamespace AND t.relname = ANY(%(loaded)s))
  AND NOT EXISTS (
    SELECT FROM unnest(k.conkey) u(n)
    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n
    WHERE NOT EXISTS (
      SELECT FROM pg_attribute na JOIN pg_class nt ON nt.oid = na.attrelid
      WHERE nt.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(incoming)s)
        AND nt.relname = f.relname AND na.attname = a.attname AND NOT na.attisdropped))
ORDER BY 1, 2;

-- name: foreign_key_columns
-- A foreign key's columns, the columns they reference, in order, the referenced table, and
-- whether it is MATCH FULL.
SELECT a.attname, fa.attname, fn.nspname, fc.relname, k.confmatchtype = 'f'
FROM pg_constraint k
CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY u(col, ref, o)
JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.col
JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = u.ref
JOIN pg_class fc ON fc.oid = k.confrelid
JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE k.conrelid = %(table)s AND k.conname = %(name)s
ORDER BY u.o;

-- name: orphaned_rows
-- Rows of a table the key refuses: with MATCH SIMPLE, a row whose key columns all hold a
-- value and match no referenced row; with MATCH FULL, also one whose key is partly NULL.
SELECT count(*) FROM {table} t
WHERE NOT ({all_null}) AND ({partly_null} OR {any_null} IS NOT TRUE
                            AND NOT EXISTS (SELECT FROM {referenced} r WHERE {matches}));

-- name: table_oid
SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(table)s;

-- name: validate_constraint
-- Its own transaction, after the swap's: SHARE UPDATE EXCLUSIVE on the table, which holds
-- back no reader or writer.
ALTER TABLE {table} VALIDATE CONSTRAINT {constraint};

-- name: has_constraint
SELECT EXISTS (SELECT FROM pg_constraint k
               JOIN pg_class c ON c.oid = k.conrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = %(schema)s AND c.relname = %(table)s AND k.conname = %(name)s);


-- name: statistics_of
-- Extended statistics (CREATE STATISTICS) on a schema's tables of those names: the schema the
-- object is in (the creator's current schema, not necessarily the table's), its kinds (d:
-- ndistinct, f: dependencies, m: mcv; e: on expressions, implied), columns and expressions,
-- statistics target (-1: the default) and owner.
SELECT c.relname, s.stxname, sn.nspname, s.stxkind::text[],
       pg_get_statisticsobjdef_columns(s.oid), s.stxstattarget, pg_get_userbyid(s.stxowner)
FROM pg_statistic_ext s
JOIN pg_namespace sn ON sn.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relname = ANY(%(loaded)s)
ORDER BY 1, 2;

-- name: create_statistics
-- Made on the replacement in its schema, under the same name; moved to its own schema by the
-- swap (move_statistics), once the replaced table's object no longer holds the name there.
CREATE STATISTICS {statistics} {kinds} ON {columns} FROM {table};

-- name: analyze
ANALYZE {table};

-- name: statistics_target
ALTER STATISTICS {statistics} SET STATISTICS {target};

-- name: owner_of_statistics
ALTER STATISTICS {statistics} OWNER TO {owner};

-- name: statistics_named
-- The objects named so that are on the (new) table or in the schema the carried one belongs
-- in: the schema each is in, the schema of its table, and whether it is on the new table.
SELECT sn.nspname, tn.nspname, tn.nspname = %(schema)s AND c.relname = %(table)s
FROM pg_statistic_ext s
JOIN pg_namespace sn ON sn.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
WHERE s.stxname = %(name)s
  AND (sn.nspname = %(home)s OR tn.nspname = %(schema)s AND c.relname = %(table)s);

-- name: move_statistics
ALTER STATISTICS {statistics} SET SCHEMA {target};

-- name: comments_to_carry
-- The comments of the replaced tables' indexes, constraints and extended statistics that the
-- object of the same kind and name on the replacement does not have (NULL: a version switched
-- back in loses a comment removed since), with the schema that object is in.
WITH objects AS (
  SELECT n.nspname AS schema, c.relname AS tab, 'index' AS kind, ic.relname AS name,
         obj_description(ic.oid, 'pg_class') AS comment, n.nspname AS at
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN (%(schema)s, %(incoming)s) AND c.relname = ANY(%(loaded)s)
  UNION ALL
  SELECT n.nspname, c.relname, 'constraint', k.conname,
         obj_description(k.oid, 'pg_constraint'), n.nspname
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN (%(schema)s, %(incoming)s) AND c.relname = ANY(%(loaded)s)
    AND k.conparentid = 0
  UNION ALL
  SELECT n.nspname, c.relname, 'statistics', s.stxname,
         obj_description(s.oid, 'pg_statistic_ext'), sn.nspname
  FROM pg_statistic_ext s
  JOIN pg_namespace sn ON sn.oid = s.stxnamespace
  JOIN pg_class c ON c.oid = s.stxrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN (%(schema)s, %(incoming)s) AND c.relname = ANY(%(loaded)s)
)
SELECT p.kind, p.tab, p.name, p.comment, r.at
FROM objects p
JOIN objects r ON r.schema = %(incoming)s AND r.tab = p.tab AND r.kind = p.kind
              AND r.name = p.name
WHERE p.schema = %(schema)s AND p.comment IS DISTINCT FROM r.comment
ORDER BY 2, 1, 3;

-- name: comment_on_index
COMMENT ON INDEX {index} IS {comment};

-- name: comment_on_constraint
COMMENT ON CONSTRAINT {constraint} ON {table} IS {comment};

-- name: comment_on_statistics
COMMENT ON STATISTICS {statistics} IS {comment};
