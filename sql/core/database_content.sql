-- What a database holds, as the dump and restore checks compare it (core/database_content.py).

-- name: count_rows
SELECT count(*) FROM {table};

-- name: user_tables
SELECT n.nspname || '.' || c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1;

-- name: view_definitions
-- Each view's and materialized view's definition as the server prints it: recorded with a
-- dump and compared after a restore, since a view that did not come back, or came back as
-- something else, changes no table's row count. Extension members (PostGIS's
-- geometry_columns) belong to their extension.
SELECT n.nspname || '.' || c.relname, pg_get_viewdef(c.oid, true)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype = 'e')
ORDER BY 1;

-- name: reread_view
-- A view definition printed by pg_get_viewdef, read back as a restore reads it (the
-- definition is the catalog's own text, never a file's); rolled back by the caller.
CREATE TEMP VIEW maint_assets_reread AS {definition};

-- name: reread_definition
SELECT pg_get_viewdef('pg_temp.maint_assets_reread'::regclass, true);

-- name: drop_reread
DROP VIEW pg_temp.maint_assets_reread;

-- name: stable_text_output
-- The settings a table's rows are written under in COPY's text form, when that text is hashed
-- to compare a restored table with the source it was dumped from: the two sessions may run on
-- servers or roles with other defaults (a time stamp reads differently in another time zone).
SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),
       set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '1', true),
       set_config('bytea_output', 'hex', true);

-- name: copy_ordered
COPY (SELECT * FROM {table} ORDER BY {order_by}) TO STDOUT;
