-- ingest/schema/ingest_staging: the next version of the production schema, loaded beside it.

-- name: copy_csv
-- Columns in the order of the file's header, which was matched against the table's columns.
COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true);

-- name: create_lines
-- n: the line's number in the file, for the errors (COPY inserts in the file's order).
CREATE TEMP TABLE ingest_lines (n bigint GENERATED ALWAYS AS IDENTITY, line jsonb)
ON COMMIT DROP;

-- name: copy_lines
-- One JSON document per line; text format would read backslashes as escapes.
COPY ingest_lines (line) FROM STDIN WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02');

-- name: not_an_object
-- The first line that is not a JSON object (an array, a string, a number, null). A blank line
-- (NULL) holds no record: it is skipped, as JSON Lines readers do.
SELECT n, jsonb_typeof(line) FROM ingest_lines
WHERE jsonb_typeof(line) <> 'object' ORDER BY n LIMIT 1;

-- name: last_line
SELECT max(n) FROM ingest_lines;

-- name: line_keys
-- The keys the lines use, to match against the table's columns before inserting.
SELECT DISTINCT k FROM ingest_lines, jsonb_object_keys(line) AS k
WHERE jsonb_typeof(line) = 'object' ORDER BY k;

-- name: structured_for_scalar
-- The first line whose value for a column is an object or an array the column cannot hold
-- as such: not json or jsonb, not an array column for an array, not a composite for an
-- object (jsonb_populate_record would store the JSON's text in a text column).
SELECT l.n, a.attname, jsonb_typeof(l.line -> a.attname::text), format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
CROSS JOIN ingest_lines l
WHERE a.attrelid = format('%%I.%%I', %(schema)s::text, %(table)s::text)::regclass
  AND a.attnum > 0 AND NOT a.attisdropped
  AND t.typname NOT IN ('json', 'jsonb') AND jsonb_typeof(l.line) = 'object'
  AND (jsonb_typeof(l.line -> a.attname::text) = 'object' AND t.typtype <> 'c'
       OR jsonb_typeof(l.line -> a.attname::text) = 'array' AND t.typcategory <> 'A')
ORDER BY l.n, a.attnum LIMIT 1;

-- name: integral_numbers
-- A number with a decimal point and no fraction (1000.0: mongoexport's BSON double, as Python
-- writes a float) for an integer column, as that integer: the type's input refuses "1000.0",
-- which nmdc-server's ingest (pydantic's int) takes as 1000; 1000.5 is still refused.
WITH ints AS (
  SELECT coalesce(array_agg(a.attname::text), '{}') AS keys FROM pg_attribute a
  WHERE a.attrelid = format('%%I.%%I', %(schema)s::text, %(table)s::text)::regclass
    AND a.attnum > 0 AND NOT a.attisdropped
    AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
)
UPDATE ingest_lines
SET line = line || (SELECT jsonb_object_agg(k, trunc((line ->> k)::numeric))
                    FROM unnest((SELECT keys FROM ints)) k
                    WHERE jsonb_typeof(line -> k) = 'number' AND line ->> k ~ '[.eE]'
                      AND (line ->> k)::numeric = trunc((line ->> k)::numeric))
WHERE jsonb_typeof(line) = 'object'
  AND EXISTS (SELECT FROM unnest((SELECT keys FROM ints)) k
              WHERE jsonb_typeof(line -> k) = 'number' AND line ->> k ~ '[.eE]'
                AND (line ->> k)::numeric = trunc((line ->> k)::numeric));

-- name: gather_extra_keys
-- The keys of each line that are neither columns nor ignored, as one object under the column
-- extra_keys names (nmdc-server's annotations): inserted by name with the rest.
UPDATE ingest_lines
SET line = line || jsonb_build_object(%(column)s::text, line - %(known)s::text[])
WHERE line IS NOT NULL;

-- name: insert_lines
-- Into the columns the lines have, by name: a serial column they leave out takes its
-- default (its sequence numbers the rows).
INSERT INTO {table} ({columns})
SELECT {values} FROM ingest_lines l, jsonb_populate_record(NULL::{table}, l.line) r
WHERE l.line IS NOT NULL;

-- name: insert_lines_between
-- Part of the lines, to find the one a failed insert_lines stopped at.
INSERT INTO {table} ({columns})
SELECT {values} FROM ingest_lines l, jsonb_populate_record(NULL::{table}, l.line) r
WHERE l.line IS NOT NULL AND l.n BETWEEN %(first)s AND %(last)s;

-- name: owned_sequences
-- The sequences the table's columns own, from the catalogue (a serial column's: deptype 'a';
-- an identity column's: 'i'), whatever the tables file called the column's type.
SELECT a.attname, s.oid, n.nspname, s.relname
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_namespace n ON n.oid = s.relnamespace
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype IN ('a', 'i')
  AND d.refobjid = format('%%I.%%I', %(schema)s::text, %(table)s::text)::regclass
ORDER BY a.attnum;

-- name: advance_sequence
-- The sequence past the largest value its column holds (the files' keys), so that the next
-- default (the portal's next insert) never repeats one; never moved back, nor for an empty
-- table.
SELECT setval(%(sequence)s::oid::regclass, x.m)
FROM (SELECT max({column}) AS m FROM {table}) x, {sequence} s
WHERE x.m >= s.last_value + s.is_called::int;

-- name: allow_missing
-- While the file is loaded, a serial key its lines may leave empty takes NULL (COPY and the
-- insert by column name give no DEFAULT to one row and not to another): numbered afterwards.
ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL;

-- name: number_missing
-- The rows the file gave no key, numbered by the column's sequence (already past the keys
-- the other rows keep).
UPDATE {table} SET {column} = nextval(%(sequence)s::oid::regclass) WHERE {column} IS NULL;

-- name: require
ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;

-- name: read_line_value
-- One key of one line as its column's type, to find the column of a line that fails.
SELECT (jsonb_populate_record(NULL::{table}, jsonb_build_object(%(key)s::text,
                                                                  line -> %(key)s::text))).*
FROM ingest_lines WHERE n = %(n)s;

-- name: largest_value
-- The size of a column's largest value, when an index refuses one.
SELECT max(octet_length({column}::text)) FROM {table};

-- name: is_type
-- Whether a column type of the tables file names a type a column can have (no row when
-- to_regtype names none; a syntax error when it is no type name at all, such as `integer
-- references x`): not a pseudo-type (anyelement, trigger), nor a table's row type or an
-- array of one (the column would depend on that table, and go with it).
SELECT t.typtype <> 'p' AND NOT EXISTS (
           SELECT FROM pg_type x JOIN pg_class c ON c.oid = x.typrelid
           WHERE x.oid IN (t.oid, t.typelem) AND c.relkind <> 'c')  -- a CREATE TYPE … AS is fine
FROM pg_type t WHERE t.oid = to_regtype(%(type)s);

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
