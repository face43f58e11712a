-- The catalogue table Metabase's dashboards read: built in maint_assets_build with COPY,
-- checked, indexed, then swapped in for public.datasets in the same transaction.

-- name: build
CREATE TABLE {table} (
    identifier text,
    uri text,
    title text,
    description text,
    modified date,
    publisher text,
    licence text,
    licence_source text,
    open_access boolean NOT NULL,
    access_rights text,
    themes text[],
    keywords text[],
    communes text[],
    departements text[],
    geo_coverage text,
    temporal_start date,
    temporal_end date,
    distributions integer NOT NULL,
    formats text[],
    contact_point text,
    status text,
    natural_risk boolean NOT NULL,
    completeness numeric(5, 1) NOT NULL,
    page text,
    -- The runbook's columns (its to_sql table), for the Metabase questions built on them;
    -- see maint_assets/catalog/clean.py RUNBOOK_COLUMNS. After page: COPY fills the columns
    -- in the CSV's order.
    modification text,
    right_statement text,
    right_statement_processed boolean NOT NULL,
    creator text,
    rights_holder text,
    catalog text,
    licenses text[],
    percantage_filling double precision NOT NULL,
    univers text,
    commune text[],
    departement text[],
    -- Its columns that are the project's under another name: written by PostgreSQL from
    -- those (COPY without a column list leaves generated columns out), computed once.
    dataset text GENERATED ALWAYS AS (uri) STORED,
    key_words text[] GENERATED ALWAYS AS (keywords) STORED
);
-- Shown as the columns' descriptions in the asset's column schema (core/ui.sql).
COMMENT ON COLUMN {table}.modification IS
    'runbook: dcterms:modified as written (text); the project''s date is modified';
COMMENT ON COLUMN {table}.right_statement IS
    'runbook: rdfs:label of each dcterms:accessRights, joined by "; "';
COMMENT ON COLUMN {table}.right_statement_processed IS
    'runbook: right_statement contains "pas de restriction d''accès public selon inspire", '
    '"licence ouverte" or "open licence" (any case)';
COMMENT ON COLUMN {table}.creator IS 'runbook: foaf:name of dcterms:creator';
COMMENT ON COLUMN {table}.rights_holder IS 'runbook: foaf:name of dcterms:rights_holder';
COMMENT ON COLUMN {table}.catalog IS
    'runbook: dcterms:title of the dcat:inCatalog of the foaf:isPrimaryTopicOf record';
COMMENT ON COLUMN {table}.licenses IS
    'runbook: distinct dcterms:license of the distributions, NULL when none';
COMMENT ON COLUMN {table}.percantage_filling IS
    'runbook: 100 * filled / 9 of catalog, contact_point, licenses, modification, '
    'rights_holder, right_statement, spatial, status, title (its three lists always count)';
COMMENT ON COLUMN {table}.univers IS
    'runbook: PPRN when the title or description says pprn or prevention des risques naturels';
COMMENT ON COLUMN {table}.commune IS 'runbook: commune codes of the INSEE spatial URIs';
COMMENT ON COLUMN {table}.departement IS
    'runbook: département codes of the INSEE spatial URIs, else the first commune''s 2 first';
COMMENT ON COLUMN {table}.dataset IS 'runbook: the dataset''s URI (= uri)';
COMMENT ON COLUMN {table}.key_words IS 'runbook: dcat:keyword (= keywords)';

-- name: copy
-- FREEZE: the table was created in this transaction, so its rows can be written frozen (no
-- later hint-bit rewrite or anti-wraparound vacuum of a million fresh rows). Frozen rows are
-- also seen by a snapshot taken before the load: a REPEATABLE READ reader begun then reads the
-- new table, where rows of this transaction would be invisible to it after the swap and the
-- catalogue empty (maint_assets_tests/catalog/test_catalog_snapshot_readers.py).
COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true, FREEZE true);

-- name: keep_absent
-- A dump known to lack datasets the source still has (taken while the exposition shifted):
-- the live rows it lacks are kept, as they were, unless %(max_loads)s loads in a row kept one
-- already (then its absence from that many dumps is taken as its deletion).
SELECT l.identifier FROM {live} l
WHERE l.identifier IS NOT NULL
  AND NOT EXISTS (SELECT FROM {table} b WHERE b.identifier = l.identifier)
  AND NOT EXISTS (SELECT FROM maint_assets.catalog_kept_absent k
                  WHERE k.identifier = l.identifier AND k.loads >= %(max_loads)s);

-- name: kept_rows
-- The kept rows, copied into the new table frozen as the load's (copy): an INSERT's rows
-- would be invisible to a snapshot taken before the load, which would read the new table
-- without them. {columns}: those of the new table that can be written (not generated) and
-- that the live one has with the same type.
COPY (SELECT {columns} FROM {live} WHERE identifier = ANY(%(kept)s)) TO STDOUT;

-- name: copy_kept
COPY {table} ({columns}) FROM STDIN WITH (FREEZE true);

-- name: shared_columns
SELECT a.attname
FROM pg_attribute a
JOIN pg_attribute l ON l.attrelid = %(live)s::regclass AND l.attname = a.attname
                   AND l.attnum > 0 AND NOT l.attisdropped
                   AND (l.atttypid, l.atttypmod) = (a.atttypid, a.atttypmod)
WHERE a.attrelid = %(table)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attgenerated = ''
ORDER BY a.attnum;

-- name: required_columns
-- The new table's NOT NULL columns without a default, which a kept row must fill.
SELECT a.attname
FROM pg_attribute a
WHERE a.attrelid = %(table)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attnotnull AND NOT a.atthasdef AND a.attgenerated = '';

-- name: forget_kept
-- Those the dump had again, or every one after a dump taken while the exposition stood still.
DELETE FROM maint_assets.catalog_kept_absent WHERE NOT identifier = ANY(%(kept)s);

-- name: count_kept
INSERT INTO maint_assets.catalog_kept_absent (identifier, loads)
SELECT unnest(%(kept)s::text[]), 1
ON CONFLICT (identifier) DO UPDATE SET loads = catalog_kept_absent.loads + 1;

-- name: indexes
SET LOCAL maintenance_work_mem = '256MB';
CREATE UNIQUE INDEX ON {table} (identifier);
