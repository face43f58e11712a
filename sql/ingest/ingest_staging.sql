-- ingest/schema/ingest_staging: the next version of the production schema, loaded beside it.

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

-- The row checks of the table list, one statement per operator (maint_assets/ingest/tables.py):
-- the column is a quoted identifier, the value a literal.

-- name: check_eq
CHECK ({column} = {value})

-- name: check_ne
CHECK ({column} <> {value})

-- name: check_lt
CHECK ({column} < {value})

-- name: check_le
CHECK ({column} <= {value})

-- name: check_gt
CHECK ({column} > {value})

-- name: check_ge
CHECK ({column} >= {value})

-- name: check_in
CHECK ({column} IN ({value}))

-- name: check_matches
CHECK ({column} ~ {value})

-- name: check_min_length
CHECK (char_length({column}) >= {value})
