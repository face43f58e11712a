-- The schemas the ingest creates, marked as its own: only those are dropped or replaced.

-- name: drop_schema
DROP SCHEMA IF EXISTS {schema} CASCADE;

-- name: create_schema
CREATE SCHEMA {schema};

-- name: mark_schema
-- The marker of a schema the ingest created: only such schemas are dropped or replaced by it.
COMMENT ON SCHEMA {schema} IS {marker};

-- name: schema_comment
SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %(schema)s;

-- name: schema_exists
SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = %(schema)s);

-- name: schema_owner
SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %(schema)s;

-- name: owner_of_schema
-- The production schema's owner, given to each version switched in.
ALTER SCHEMA {schema} OWNER TO {owner};
