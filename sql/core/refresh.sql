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
-- Kept past the REFRESH's commit, for the diff in the next transaction; dropped after it.
CREATE TEMP TABLE {snapshot} AS
SELECT md5(t::text) AS h FROM {relation} t;

-- name: diff_against_snapshot
SELECT (SELECT count(*) FROM (SELECT md5(t::text) FROM {relation} t
                              EXCEPT ALL SELECT h FROM {snapshot}) added),
       (SELECT count(*) FROM (SELECT h FROM {snapshot}
                              EXCEPT ALL SELECT md5(t::text) FROM {relation} t) removed);

-- name: drop_snapshot
DROP TABLE {snapshot};

-- name: view_sources
-- The relations a view's query reads, whose locks its REFRESH waits for too.
SELECT DISTINCT n.nspname::text, c.relname::text
FROM pg_rewrite r
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
JOIN pg_class c ON c.oid = d.refobjid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.ev_class = (quote_ident(%(schema)s) || '.' || quote_ident(%(name)s))::regclass
  AND d.refobjid <> r.ev_class
ORDER BY 1, 2;

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
-- No CASCADE: the views on it were dropped before, to be re-created on its replacement;
-- anything else depending on it (a foreign key into it) makes the swap fail and roll back.
DROP TABLE {relation};

-- name: move_table
ALTER TABLE {relation} SET SCHEMA {schema};

-- name: table_documentation
-- A table's comment and its columns' comments (by name), given back to its replacement.
SELECT obj_description(c.oid, 'pg_class'),
       ARRAY(SELECT ARRAY[a.attname::text, ds.description]
             FROM pg_attribute a
             JOIN pg_description ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
                                   AND ds.objsubid = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s;

-- name: comment_on_table
COMMENT ON TABLE {table} IS {comment};

-- name: column_names
SELECT a.attname::text FROM pg_attribute a
WHERE a.attrelid = (quote_ident(%(schema)s) || '.' || quote_ident(%(name)s))::regclass
  AND a.attnum > 0 AND NOT a.attisdropped;
