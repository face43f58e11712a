-- The blocking checks of catalog/public/datasets, on the built table.

-- name: missing_required
SELECT count(*) FILTER (WHERE identifier IS NULL), count(*) FILTER (WHERE title IS NULL),
       count(*)
FROM {table};

-- name: columns
-- No rows: the built table's column names, read from the result's description.
SELECT * FROM {table} LIMIT 0;

-- name: longest_identifiers
-- The identifiers a btree index row may be too long for (2704 bytes at most, counted as
-- stored: compressed): the longest so first.
SELECT left(identifier, 120), pg_column_size(identifier) FROM {table}
WHERE pg_column_size(identifier) > 2000
ORDER BY pg_column_size(identifier) DESC, identifier LIMIT 5;

-- name: duplicate_identifiers
SELECT identifier, count(*) FROM {table}
GROUP BY identifier HAVING count(*) > 1
ORDER BY count(*) DESC, identifier LIMIT 10;
