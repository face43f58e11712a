-- Databases as a whole: creating, dropping and swapping them, counting their rows.

-- name: create_database
CREATE DATABASE {database};

-- name: is_template
-- A row when the template database exists and may be copied by any role with CREATEDB.
SELECT 1 FROM pg_database WHERE datname = %(name)s AND datistemplate;

-- name: create_database_from
CREATE DATABASE {database} TEMPLATE {template};

-- name: extensions
-- As pg_dump names them in its table of contents (an identifier, quoted when it must be).
SELECT quote_ident(extname) FROM pg_extension;

-- name: create_database_encoded
-- A restore check's scratch database in its source's encoding: a SQL_ASCII database's bytes
-- load into a UTF8 one unchecked (COPY does not validate SQL_ASCII input) and would not be
-- the same database. template0, since template1's encoding may differ; C goes with any.
CREATE DATABASE {database} TEMPLATE template0 ENCODING {encoding} LC_COLLATE 'C' LC_CTYPE 'C';

-- name: default_encoding
SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'template1';

-- name: mark_database
-- The marker of a database maint_assets created: only such databases are dropped or replaced.
COMMENT ON DATABASE {database} IS {marker};

-- name: database_comment
-- One row when the database exists: its comment (NULL when it has none).
SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %(name)s;

-- name: drop_database
-- Without FORCE first: the server then stops an autovacuum worker in the database itself and
-- waits for it. FORCE ends only sessions of roles the caller is a member of, which an
-- autovacuum worker is not, so for a role that is no superuser it failed whenever autovacuum
-- was analysing what a restore had just loaded.
DROP DATABASE IF EXISTS {database};

-- name: rename_database
ALTER DATABASE {database} RENAME TO {new_name};

-- name: server_and_oid
-- Which cluster this is (initdb's system identifier) and the OID of a database in it (the
-- current one when no name is given): equal pairs are the same database, whatever the host
-- names, ports or addresses used to reach it.
SELECT (SELECT system_identifier FROM pg_control_system()),
       (SELECT oid FROM pg_database
        WHERE datname = coalesce(%(name)s::text, current_database()))::bigint;

-- name: end_sessions
-- Clients only: the rename and the drop stop an autovacuum worker themselves, and a role that
-- is no superuser may not (pg_terminate_backend: "must be a superuser to terminate superuser
-- process").
-- Who was ended: a swap says so (a person's open session is gone).
-- The filter is fenced (OFFSET 0) so that it runs before pg_terminate_backend, never after.
SELECT pid, usename, application_name
FROM (SELECT pid, usename, application_name FROM pg_stat_activity
      WHERE datname = %(name)s AND pid <> pg_backend_pid() AND backend_type = 'client backend'
      OFFSET 0) clients
WHERE pg_terminate_backend(pid);

-- name: sessions_in
-- Every session still in the databases, as far as the role may see it: another role's session
-- shows its pid and user, but its application and start only to pg_read_all_stats.
SELECT datname, pid, usename, application_name, backend_start FROM pg_stat_activity
WHERE datname = ANY(%(names)s) AND pid <> pg_backend_pid()
ORDER BY datname, backend_start NULLS LAST, pid;

-- name: export_snapshot
-- Held open while pg_dump reads through --snapshot: the dump and the row counts in its
-- manifest see the same data.
-- pg_current_snapshot() names what the snapshot sees (its xmin, xmax and transactions in
-- progress): dumps that record the same one read the same data.
SELECT pg_export_snapshot(), current_setting('server_version_num')::integer,
       current_setting('server_version'), pg_current_snapshot()::text;

-- name: databases_like
-- The databases whose name starts with a prefix (restore checks' scratch databases), with their
-- comment; LIKE's wildcards in the prefix are escaped by the caller.
SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database
WHERE datname LIKE %(pattern)s ORDER BY datname;

-- name: client_encoding_utf8
SET client_encoding TO 'UTF8';

-- name: trigger_states
-- The user triggers' states (O on origin, A always, R replica, D disabled): pg_restore
-- --disable-triggers ends with ENABLE TRIGGER ALL, which sets every trigger of the table it
-- loaded to O, so they are read before such a load and set back after it.
SELECT n.nspname::text, c.relname::text, t.tgname::text, t.tgenabled::text
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal;

-- name: set_trigger_state
ALTER TABLE {table} {state} TRIGGER {trigger};

-- name: user_mappings_with_password
-- The user mappings whose options pg_dump would write with their password: pg_user_mappings
-- shows a mapping's options to a superuser and to the foreign server's owner (for a PUBLIC
-- mapping) or its own user, the roles a dump then carries another server's password for.
SELECT srvname, usename FROM pg_user_mappings
WHERE EXISTS (SELECT FROM unnest(umoptions) AS o WHERE o LIKE 'password=%')
ORDER BY srvname, usename;
