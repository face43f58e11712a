-- Generic refresh steps shared by every domain: materialized view refreshes and
-- build-then-swap rebuilds of derived tables, with row-level change counts.

-- name: relation_state
SELECT c.relkind::text, c.relispopulated
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s;

-- name: has_usable_unique_index
-- REFRESH ... CONCURRENTLY needs a valid unique index on plain columns, without predicate.
SELECT EXISTS (
    SELECT 1
    FROM pg_index i
    WHERE i.indrelid = (quote_ident(%(schema)s) || '.' || quote_ident(%(name)s))::regclass
      AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
);

-- name: snapshot_row_hashes
CREATE TEMP TABLE {snapshot} ON COMMIT DROP AS
SELECT md5(t::text) AS h FROM {relation} t;

-- name: diff_against_snapshot
SELECT (SELECT count(*) FROM (SELECT md5(t::text) FROM {relation} t
                              EXCEPT ALL SELECT h FROM {snapshot}) added),
       (SELECT count(*) FROM (SELECT h FROM {snapshot}
                              EXCEPT ALL SELECT md5(t::text) FROM {relation} t) removed);

-- name: diff_relations
SELECT (SELECT count(*) FROM (SELECT md5(n::text) FROM {new} n
                              EXCEPT ALL SELECT md5(o::text) FROM {old} o) added),
       (SELECT count(*) FROM (SELECT md5(o::text) FROM {old} o
                              EXCEPT ALL SELECT md5(n::text) FROM {new} n) removed);

-- name: refresh_concurrently
REFRESH MATERIALIZED VIEW CONCURRENTLY {relation};

-- name: refresh_plain
REFRESH MATERIALIZED VIEW {relation};

-- name: count_rows
SELECT count(*) FROM {relation};

-- name: analyze
ANALYZE {relation};

-- name: drop_table_if_exists
DROP TABLE IF EXISTS {relation};

-- name: drop_table
-- No CASCADE: a view built on the old table makes the swap fail and roll back, loudly.
DROP TABLE {relation};

-- name: move_table
ALTER TABLE {relation} SET SCHEMA {schema};

-- name: table_grants
SELECT grantee, privilege_type
FROM information_schema.role_table_grants
WHERE table_schema = %(schema)s AND table_name = %(name)s AND grantee <> current_user;

-- name: grant
GRANT {privilege} ON {relation} TO {grantee};
