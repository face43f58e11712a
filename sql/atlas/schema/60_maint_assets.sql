-- maint_assets' own bookkeeping, the only DDL an existing production database needs
-- (`maint-assets schema atlas --bookkeeping`): the schema where replacement tables are built
-- before they are swapped in, and what the incremental taxonomy refresh remembers.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/core/roles.sql) does not have.
DO $$ BEGIN
    IF to_regnamespace('maint_assets') IS NULL THEN CREATE SCHEMA maint_assets; END IF;
END $$;
DO $$ BEGIN
    IF to_regnamespace('maint_assets_build') IS NULL THEN CREATE SCHEMA maint_assets_build; END IF;
END $$;

-- Which taxa_obs were resolved from which name, and which taxa_ref carry which vernacular
-- names (not in the production dump).
-- accepted_unresolved: the resolver could not match the name and an operator accepted that
-- (the name no longer fails the run until its text changes).
CREATE TABLE IF NOT EXISTS maint_assets.taxa_obs_resolution (
    id_taxa_obs integer PRIMARY KEY REFERENCES public.taxa_obs (id) ON DELETE CASCADE,
    name_key text NOT NULL,
    matched boolean NOT NULL,
    resolver text NOT NULL,
    resolved_at timestamptz NOT NULL DEFAULT now(),
    accepted_unresolved boolean NOT NULL DEFAULT false
);
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                   WHERE attrelid = 'maint_assets.taxa_obs_resolution'::regclass
                     AND attname = 'accepted_unresolved' AND NOT attisdropped) THEN
        ALTER TABLE maint_assets.taxa_obs_resolution
            ADD COLUMN accepted_unresolved boolean NOT NULL DEFAULT false;
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS maint_assets.taxa_ref_vernacular_resolution (
    id_taxa_ref integer PRIMARY KEY REFERENCES public.taxa_ref (id) ON DELETE CASCADE,
    resolver text NOT NULL,
    resolved_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS maint_assets.taxa_ref_vernacular (
    id_taxa_ref integer NOT NULL REFERENCES public.taxa_ref (id) ON DELETE CASCADE,
    id_taxa_vernacular integer NOT NULL REFERENCES public.taxa_vernacular (id) ON DELETE CASCADE,
    PRIMARY KEY (id_taxa_ref, id_taxa_vernacular)
);
-- The taxa_vernacular rows this project inserted: the only ones it may ever delete (a name
-- production wrote stays, whatever a resolver answers). Rows inserted before this table
-- existed are not listed, so they are kept too.
CREATE TABLE IF NOT EXISTS maint_assets.taxa_vernacular_created (
    id_taxa_vernacular integer PRIMARY KEY
        REFERENCES public.taxa_vernacular (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The row count of each incrementally maintained table as of its last refresh: an
-- incremental refresh adds what it inserted and deleted instead of counting millions of rows.
CREATE TABLE IF NOT EXISTS maint_assets.maintained_row_counts (
    relation text PRIMARY KEY,
    row_count bigint NOT NULL,
    counted_at timestamptz NOT NULL DEFAULT now()
);

-- The count tables' helpers (sql/atlas/counts.sql): the counted regions cut along a grid of
-- 1/8 degree cells (piece and edge NULL: the cell lies wholly inside the region; edge: the
-- outline of piece, or the cell for a region that is not valid), the counts per region,
-- taxon, dataset and year both count tables are made from, and the (type, scale) levels the
-- zoom lookup had when they were last brought up to date.
CREATE TABLE IF NOT EXISTS maint_assets.region_cells (
    fid integer NOT NULL,
    within_quebec boolean NOT NULL,
    cx integer NOT NULL,
    cy integer NOT NULL,
    piece geometry,
    edge geometry
);
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                   WHERE attrelid = 'maint_assets.region_cells'::regclass
                     AND attname = 'edge' AND NOT attisdropped) THEN
        ALTER TABLE maint_assets.region_cells ADD COLUMN edge geometry;
    END IF;
END $$;
-- An observation's cell is looked up with its side of the border, then the regions wanted:
-- all of that key is in the index, and the table is kept in its order (see cluster_cells in
-- sql/atlas/counts.sql), so the two dozen regions of a cell sit on a page or two.
DROP INDEX IF EXISTS maint_assets.region_cells_cell_idx;
CREATE INDEX IF NOT EXISTS region_cells_cell_fid_idx
    ON maint_assets.region_cells (cx, cy, within_quebec, fid);
CREATE INDEX IF NOT EXISTS region_cells_fid_idx ON maint_assets.region_cells (fid);
-- The cells of regions that are not valid geometries (see cut_regions): few, usually none.
CREATE INDEX IF NOT EXISTS region_cells_not_valid_idx ON maint_assets.region_cells (fid)
    WHERE piece IS NULL AND edge IS NOT NULL;
-- Which version of each region its cells were cut from (md5 of its geometry, and its side of
-- the border): cells are cut again whenever that changes, whatever the change log says.
CREATE TABLE IF NOT EXISTS maint_assets.region_cuts (
    fid integer PRIMARY KEY,
    digest text NOT NULL,
    cut_at timestamptz NOT NULL DEFAULT now()
);
-- The version of the statements that cut each region (the digest's last part): see
-- outdated_cuts in sql/atlas/counts.sql.
CREATE INDEX IF NOT EXISTS region_cuts_version_idx
    ON maint_assets.region_cuts (split_part(digest, ':', 3));

CREATE TABLE IF NOT EXISTS maint_assets.region_taxon_dataset_year_counts (
    fid integer NOT NULL,
    id_taxa_obs integer NOT NULL,
    id_datasets integer NOT NULL,
    year_obs integer NOT NULL,
    count_obs integer NOT NULL,
    CONSTRAINT region_taxon_dataset_year_counts_pkey
        PRIMARY KEY (fid, id_taxa_obs, id_datasets, year_obs)
) WITH (fillfactor = 90);

CREATE TABLE IF NOT EXISTS maint_assets.counted_levels (
    type text NOT NULL,
    scale integer NOT NULL,
    PRIMARY KEY (type, scale)
);
