-- The definition of a table as readers and the atlas API depend on it: columns in order,
-- indexes by name, constraints, triggers, owner, privileges, comments, storage options.
-- Index, constraint and trigger definitions are printed with the table written as {table},
-- so the definitions of two copies of a table (live and rebuilt) compare equal. They are read
-- with search_path set to pg_catalog alone, so every name is printed schema-qualified.

-- name: search_path
SELECT current_setting('search_path'), set_config('search_path', 'pg_catalog', true);

-- name: restore_search_path
SELECT set_config('search_path', %(search_path)s, true);

-- name: relation
SELECT c.oid::regclass::text, pg_get_userbyid(c.relowner), c.relpersistence::text,
       coalesce(array_to_string(c.reloptions, ','), ''), coalesce(t.spcname, ''),
       coalesce(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s AND c.relkind IN ('r', 'p');

-- name: columns
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), coalesce(col_description(a.attrelid, a.attnum), '')
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(oid)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;

-- name: indexes
-- Indexes that do not back a constraint (those come with their constraint).
SELECT i.relname, replace(pg_get_indexdef(x.indexrelid), ' ON ' || %(oid)s::regclass::text || ' ',
                          ' ON {table} '),
       coalesce(t.spcname, '')
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_tablespace t ON t.oid = i.reltablespace
WHERE x.indrelid = %(oid)s::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid
                                                  AND k.conrelid = x.indrelid)
ORDER BY i.relname;

-- name: constraints
-- NOT NULL is a column property here (PostgreSQL 15 has no NOT NULL constraints).
SELECT conname, contype::text, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = %(oid)s::regclass
ORDER BY conname;

-- name: triggers
SELECT tgname, replace(pg_get_triggerdef(oid), ' ON ' || %(oid)s::regclass::text || ' ', ' ON {table} ')
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
