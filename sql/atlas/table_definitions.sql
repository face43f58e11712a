-- The definition of a table as readers and the atlas API depend on it: columns in order,
-- indexes by name, constraints, triggers, owner, privileges, comments, storage options,
-- replica identity, the index CLUSTER uses, row-level security and its policies, extended
-- statistics.
-- Index, constraint and trigger definitions are printed with the table written as {table},
-- so the definitions of two copies of a table (live and rebuilt) compare equal. They are read
-- with search_path set to pg_catalog alone, so every name is printed schema-qualified.

-- name: relation
SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner), c.relpersistence::text,
       coalesce(array_to_string(c.reloptions, ','), ''), coalesce(t.spcname, ''),
       coalesce(obj_description(c.oid, 'pg_class'), ''),
       c.relreplident::text,
       coalesce((SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                 WHERE x.indrelid = c.oid AND x.indisreplident), ''),
       coalesce((SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                 WHERE x.indrelid = c.oid AND x.indisclustered), ''),
       c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s AND c.relkind IN ('r', 'p');

-- name: columns
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), coalesce(col_description(a.attrelid, a.attnum), ''),
       a.attstattarget, a.attstorage::text, a.attcompression::text,
       -- the options ALTER COLUMN ... SET gives (n_distinct): some servers write their own
       -- pg_* entries beside them (Debian's 15.20 here: pg_attver, a value per table)
       array_to_string(array(SELECT o FROM unnest(a.attoptions) o WHERE left(o, 3) <> 'pg_'), ',')
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(oid)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;

-- name: indexes
-- Indexes that do not back a constraint (those come with their constraint).
SELECT i.relname, replace(pg_get_indexdef(x.indexrelid), ' ON ' || %(oid)s::regclass::text || ' ',
                          ' ON {table} '),
       coalesce(t.spcname, ''), coalesce(obj_description(i.oid, 'pg_class'), '')
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_tablespace t ON t.oid = i.reltablespace
WHERE x.indrelid = %(oid)s::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid
                                                  AND k.conrelid = x.indrelid)
ORDER BY i.relname;

-- name: constraints
-- NOT NULL is a column property here (PostgreSQL 15 has no NOT NULL constraints).
SELECT conname, contype::text, pg_get_constraintdef(oid),
       coalesce(obj_description(oid, 'pg_constraint'), ''),
       coalesce(CASE WHEN contype IN ('p', 'u', 'x')  -- its own index (named as it is)
                     THEN obj_description(conindid, 'pg_class') END, '')
FROM pg_constraint
WHERE conrelid = %(oid)s::regclass
ORDER BY conname;

-- name: triggers
SELECT tgname, replace(pg_get_triggerdef(oid), ' ON ' || %(oid)s::regclass::text || ' ', ' ON {table} '),
       coalesce(obj_description(oid, 'pg_trigger'), '')
FROM pg_trigger
WHERE tgrelid = %(oid)s::regclass AND NOT tgisinternal
ORDER BY tgname;

-- name: privileges
-- Who else may do what, and whether they may pass it on (the grantor is whoever granted it
-- last, so it is not part of the definition).
SELECT coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'), a.privilege_type, a.is_grantable
FROM pg_class c
CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE c.oid = %(oid)s::regclass AND a.grantee <> c.relowner
ORDER BY 1, 2;

-- name: policies
-- Row-level security policies: name, permissive, command (r, a, w, d or *), roles, USING
-- and WITH CHECK expressions.
SELECT p.polname, p.polpermissive, p.polcmd::text,
       array(SELECT coalesce(pg_get_userbyid(nullif(r, 0)), 'PUBLIC')
             FROM unnest(p.polroles) r ORDER BY 1),
       coalesce(pg_get_expr(p.polqual, p.polrelid), ''),
       coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
FROM pg_policy p
WHERE p.polrelid = %(oid)s::regclass
ORDER BY p.polname;

-- name: statistics
-- Extended statistics objects: name, kinds, columns or expressions, statistics target,
-- comment. Not their schema: a rebuilt copy's are created beside it and moved at the swap.
SELECT s.stxname,
       array_to_string(array(SELECT CASE k WHEN 'd' THEN 'ndistinct' WHEN 'f' THEN 'dependencies'
                                           WHEN 'm' THEN 'mcv' END
                             FROM unnest(s.stxkind) k WHERE k <> 'e' ORDER BY 1), ', '),
       pg_get_statisticsobjdef_columns(s.oid), s.stxstattarget,
       coalesce(obj_description(s.oid, 'pg_statistic_ext'), '')
FROM pg_statistic_ext s
WHERE s.stxrelid = %(oid)s::regclass
ORDER BY s.stxname;

-- name: statistics_elsewhere
-- Extended statistics of a table that sit in another schema than the table's.
SELECT n.nspname, s.stxname
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
WHERE s.stxrelid = %(oid)s::regclass AND s.stxnamespace <> c.relnamespace;

-- The statements that give a rebuilt copy the live table's definition
-- (maint_assets/atlas/counts/table_definitions.py give_definition); those the ingest's and
-- the catalogue's swaps use too are in sql/core/attachments.sql.

-- name: set_tablespace
ALTER TABLE {table} SET TABLESPACE {tablespace};

-- name: reset_options
-- {alter}: ALTER TABLE t, or ALTER TABLE t ALTER COLUMN c
{alter} RESET ({keys});

-- name: set_options
{alter} SET ({options});

-- name: set_not_null
ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;

-- name: set_default
ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default};

-- name: set_column_statistics
ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target};

-- name: set_storage
ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE {storage};

-- name: set_compression
ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {compression};

-- name: comment_on_trigger
COMMENT ON TRIGGER {trigger} ON {table} IS {comment};

-- name: replica_identity_index
ALTER TABLE {table} REPLICA IDENTITY USING INDEX {index};

-- name: replica_identity
ALTER TABLE {table} REPLICA IDENTITY {kind};

-- name: cluster_on
ALTER TABLE {table} CLUSTER ON {index};
