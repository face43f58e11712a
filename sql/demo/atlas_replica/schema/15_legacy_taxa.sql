-- Production's legacy taxonomy table, public.taxa, and its enum types: replaced by taxa_obs in
-- 2021 (scripts/MIGRATE_taxa.sql of atlas-db), but still there, and observations.id_taxa still
-- references it (observations_id_taxa_fkey): the observations made before hold an id_taxa.
-- Nothing the project maintains reads it; a dump restored with its keys enforced (the staging
-- database, the restore checks) needs its rows.
DO $$ BEGIN
    CREATE TYPE public.ranks AS ENUM (
        'superkingdom', 'kingdom', 'subkingdom', 'infrakingdom', 'superphylum', 'phylum',
        'division', 'subphylum', 'subdivision', 'infradivision', 'superclass', 'class',
        'subclass', 'infraclass', 'superorder', 'cohort', 'order', 'suborder', 'infraorder',
        'parvorder', 'superfamily', 'family', 'subfamily', 'tribe', 'subtribe', 'genus',
        'subgenus', 'section', 'subsection', 'species group', 'species', 'infraspecies',
        'subspecies', 'variety', 'subvariety', 'race', 'stirp', 'form', 'morph', 'hybrid',
        'aberration', 'subform', 'unspecified', 'no rank');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN
    CREATE TYPE public.sp_categories AS ENUM (
        'Amphibiens', 'Oiseaux', 'Mammifères', 'Reptiles', 'Poissons', 'Tuniciers',
        'Céphalocordés', 'Arthropodes', 'Autres_invertébrés', 'Autres_taxons', 'Mycètes',
        'Angiospermes', 'Conifères', 'Cryptogames_vasculaires', 'Autres_gymnospermes',
        'Algues', 'Bryophytes', 'Autres_plantes');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

DO $$ BEGIN
    CREATE TYPE public.qc AS ENUM (
        'Menacée', 'Susceptible', 'Vulnérable', 'Vulnérable à la récolte');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

CREATE SEQUENCE IF NOT EXISTS public.taxa_id_seq;

CREATE TABLE IF NOT EXISTS public.taxa (
    id integer NOT NULL DEFAULT nextval('public.taxa_id_seq'::regclass),
    scientific_name character varying NOT NULL,
    rank public.ranks NOT NULL,
    valid boolean NOT NULL,
    valid_taxa_id bigint,
    gbif bigint,
    col bigint,
    family character varying,
    species_gr public.sp_categories,
    authorship character varying NOT NULL,
    updated_at date NOT NULL,
    qc_status public.qc,
    exotic boolean,
    CONSTRAINT taxa_pkey PRIMARY KEY (id),
    CONSTRAINT taxa_col_key UNIQUE (col),
    CONSTRAINT taxa_gbif_key UNIQUE (gbif),
    CONSTRAINT taxa_scientific_name_authorship_key UNIQUE (scientific_name, authorship)
);
ALTER SEQUENCE public.taxa_id_seq OWNED BY public.taxa.id;
COMMENT ON COLUMN public.taxa.rank IS 'Site location';
