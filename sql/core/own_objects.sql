-- The project's own indexes and constraints on the tables it replaces (core/own_objects.py;
-- the record is sql/core/schema/10_own_objects.sql).

-- name: record
-- Every index and constraint of a table the project has just made (before anything is carried
-- onto it), recorded as the project's own.
INSERT INTO maint_assets.own_objects (kind, object, table_oid)
SELECT 'index', i.indexrelid, i.indrelid FROM pg_index i
WHERE i.indrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = %(schema)s AND c.relname = %(table)s)
UNION ALL
SELECT 'constraint', k.oid, k.conrelid FROM pg_constraint k
WHERE k.conrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = %(schema)s AND c.relname = %(table)s)
ON CONFLICT (kind, object) DO UPDATE SET table_oid = excluded.table_oid;

-- name: forget
-- The records whose object is gone (its table dropped, or built again): their oids may be
-- given to a DBA's objects later.
DELETE FROM maint_assets.own_objects r
WHERE NOT EXISTS (SELECT FROM pg_index i WHERE r.kind = 'index' AND i.indexrelid = r.object
                  AND i.indrelid = r.table_oid)
  AND NOT EXISTS (SELECT FROM pg_constraint k WHERE r.kind = 'constraint' AND k.oid = r.object
                  AND k.conrelid = r.table_oid);

-- name: of
-- The recorded indexes and constraints of a schema's tables of those names.
SELECT r.kind, c.relname, coalesce(ic.relname, k.conname)
FROM maint_assets.own_objects r
JOIN pg_class c ON c.oid = r.table_oid
LEFT JOIN pg_index i ON r.kind = 'index' AND i.indexrelid = r.object
                     AND i.indrelid = r.table_oid
LEFT JOIN pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_constraint k ON r.kind = 'constraint' AND k.oid = r.object
                          AND k.conrelid = r.table_oid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND c.relname = ANY(%(tables)s) AND coalesce(ic.relname, k.conname) IS NOT NULL
ORDER BY 2, 1, 3;
