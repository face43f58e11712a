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
    page text
);

-- name: copy
-- FREEZE: the table was created in this transaction, so its rows can be written frozen (no
-- later hint-bit rewrite or anti-wraparound vacuum of a million fresh rows).
COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true, FREEZE true);

-- name: indexes
SET LOCAL maintenance_work_mem = '256MB';
CREATE UNIQUE INDEX ON {table} (identifier);
