-- What the Dagster UI shows of a table asset (maint_assets/core/ui.py).

-- name: columns
-- Columns in their order, with the type as PostgreSQL writes it and the column's comment.
SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       col_description(a.attrelid, a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(table)s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;
