-- Databases as a whole: creating, dropping and swapping them, counting their rows.

-- name: count_rows
SELECT count(*) FROM {table};

-- name: create_database
CREATE DATABASE {database};

-- name: drop_database
DROP DATABASE IF EXISTS {database} WITH (FORCE);

-- name: rename_database
ALTER DATABASE {database} RENAME TO {new_name};

-- name: database_exists
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %(name)s);

-- name: end_sessions
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = %(name)s AND pid <> pg_backend_pid();

-- name: user_tables
SELECT n.nspname || '.' || c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1;

-- name: export_snapshot
-- Held open while pg_dump reads through --snapshot: the dump and the row counts in its
-- manifest see the same data.
SELECT pg_export_snapshot(), current_setting('server_version_num')::integer,
       current_setting('server_version');
