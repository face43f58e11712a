-- Ingesting a new version of a production schema beside it, and switching it in.

-- name: drop_schema
DROP SCHEMA IF EXISTS {schema} CASCADE;

-- name: create_schema
CREATE SCHEMA {schema};

-- name: mark_schema
-- The marker of a schema the ingest created: only such schemas are dropped or replaced by it.
COMMENT ON SCHEMA {schema} IS {marker};

-- name: schema_comment
SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %(schema)s;

-- name: copy_csv
-- Columns in the order of the file's header, which was matched against the table's columns.
COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true);

-- name: create_lines
CREATE TEMP TABLE ingest_lines (line jsonb) ON COMMIT DROP;

-- name: copy_lines
-- One JSON document per line; text format would read backslashes as escapes.
COPY ingest_lines FROM STDIN WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');

-- name: line_keys
-- The keys the lines use, to match against the table's columns before inserting.
SELECT DISTINCT k FROM ingest_lines, jsonb_object_keys(line) AS k
WHERE jsonb_typeof(line) = 'object' ORDER BY k;

-- name: insert_lines
INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, line)).* FROM ingest_lines;

-- name: truncate_lines
TRUNCATE ingest_lines;

-- name: analyze
ANALYZE {table};

-- name: row_count
SELECT count(*) FROM {table};

-- name: tables_of
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') ORDER BY c.relname;

-- name: schema_exists
SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = %(schema)s);

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
