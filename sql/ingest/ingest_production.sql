-- ingest/schema/ingest_production: the switch of the staging version into production, the
-- versions kept for rollback, and the rollback.

-- name: tables_of
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') ORDER BY c.relname;

-- name: lock_for_carry_over
-- Writes to the tables carried over wait until the switch commits; reads go on.
LOCK TABLE {tables} IN EXCLUSIVE MODE;

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
