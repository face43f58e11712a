-- The maintenance role: a login role with no special attributes, given only what the assets
-- of one database need (each domain's privileges.py says which). Run by an
-- administrator with `maint-assets roles apply <domain>`; idempotent. No password here: set
-- it with psql's \password (hashed on the client, never in a statement or log).

-- name: role_exists
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %(role)s);

-- name: create_role
CREATE ROLE {role} LOGIN;

-- name: restrict_role
-- Enforced on every apply, also on a role that existed before.
ALTER ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;

-- name: allow_createdb
-- Only on the server of the staging and scratch databases (restore checks, atlas_staging).
ALTER ROLE {role} CREATEDB;

-- name: create_template
-- The template of the role's scratch and staging databases on this server (from template1).
CREATE DATABASE {database};

-- name: mark_template
COMMENT ON DATABASE {database} IS {marker};

-- name: template_extension
-- Only an administrator may create an extension that is not trusted (PostGIS): a database
-- copied from the template has it, and a dump's CREATE EXTENSION IF NOT EXISTS does nothing.
CREATE EXTENSION IF NOT EXISTS {extension};

-- name: update_template_extension
-- To the version the server's packages now install (after an upgrade of PostGIS).
ALTER EXTENSION {extension} UPDATE;

-- name: seal_template
-- Any role with CREATEDB may copy a template database, without connecting to it.
ALTER DATABASE {database} IS_TEMPLATE true;

-- name: template_connect
-- Only administrators connect to it: nobody else changes what every copy starts with.
REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC;

-- name: create_group
CREATE ROLE {role} NOLOGIN;

-- name: member_of
GRANT {group_role} TO {role};

-- name: connect
-- TEMPORARY: refreshes compare versions through temporary tables.
GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role};

-- name: create_schemas
-- Staging schemas and the production switch (ingest) create and rename schemas.
GRANT CREATE ON DATABASE {database} TO {role};

-- name: read_all_data
-- Whole-database dumps (backups) and reads of source tables: read-only, every table.
GRANT pg_read_all_data TO {role};

-- name: create_owned_schema
CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {role};

-- name: own_schema
ALTER SCHEMA {schema} OWNER TO {role};

-- name: use_schema
-- CREATE: a rebuilt table is swapped in by renaming it into its schema.
GRANT USAGE, CREATE ON SCHEMA {schema} TO {role};

-- name: relations_in_schema
-- Sequences last: those of serial and identity columns change owner with their table.
SELECT c.relname, c.relkind::text, pg_get_userbyid(c.relowner), r.rolsuper,
       EXISTS (SELECT 1 FROM pg_depend d
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                 AND d.deptype IN ('a', 'i')) AS linked
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_roles r ON r.oid = c.relowner
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'm', 'v', 'S')
ORDER BY c.relkind = 'S', c.relname;

-- name: relation
SELECT c.relname, c.relkind::text, pg_get_userbyid(c.relowner), r.rolsuper, false AS linked
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_roles r ON r.oid = c.relowner
WHERE n.nspname = %(schema)s AND c.relname = %(name)s;

-- name: own_functions_statements
-- Signatures are printed and quoted by the server (regprocedure, %%I): nothing is spliced here.
SELECT format('ALTER ROUTINE %%s OWNER TO %%I', p.oid::regprocedure, %(role)s::text)
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = %(schema)s AND p.prokind IN ('f', 'p')
  AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = %(role)s);

-- name: own_table
ALTER TABLE {relation} OWNER TO {role};

-- name: own_materialized_view
ALTER MATERIALIZED VIEW {relation} OWNER TO {role};

-- name: own_view
ALTER VIEW {relation} OWNER TO {role};

-- name: own_sequence
ALTER SEQUENCE {relation} OWNER TO {role};

-- name: keep_access
-- The previous owner (an application role) keeps the rights it had as owner.
GRANT ALL PRIVILEGES ON {relation} TO {owner};

-- name: schema_exists
SELECT to_regnamespace(%(schema)s) IS NOT NULL;

-- name: use_sequences
GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
