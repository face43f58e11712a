-- maint_assets' own bookkeeping, the only DDL an existing production database needs
-- (`maint-assets schema atlas --bookkeeping`): the schema where replacement tables are built
-- before they are swapped in, and what the incremental taxonomy refresh remembers.
-- Created only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
-- when the schema exists, a right the maintenance role (sql/roles.sql) does not have.
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

-- The row count of each incrementally maintained table as of its last refresh: an
-- incremental refresh adds what it inserted and deleted instead of counting millions of rows.
CREATE TABLE IF NOT EXISTS maint_assets.maintained_row_counts (
    relation text PRIMARY KEY,
    row_count bigint NOT NULL,
    counted_at timestamptz NOT NULL DEFAULT now()
);
