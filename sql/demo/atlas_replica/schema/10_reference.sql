-- Source tables that are not observations: datasets, variables, efforts, taxa_obs, regions,
-- taxonomy groups, the zoom lookup and the api source-priority tables.
DO $$ BEGIN
    CREATE TYPE public.type_observation AS ENUM (
        'living specimen', 'preserved specimen', 'fossil specimen', 'human observation',
        'machine observation', 'literature', 'material sample', 'others', 'material citation');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- Production's modified_at trigger function, used as it is by the update_modified_at triggers
-- of taxa_obs, taxa_ref and taxa_vernacular.
CREATE OR REPLACE FUNCTION public.trigger_set_timestamp() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.modified_at = NOW();
  RETURN NEW;
END;
$$;

CREATE TABLE IF NOT EXISTS public.datasets (
    id serial PRIMARY KEY,
    original_source varchar NOT NULL,
    org_dataset_id varchar,
    creator varchar,
    title varchar NOT NULL,
    publisher varchar,
    modified date NOT NULL,
    keywords varchar[],
    abstract text,
    type_sampling varchar,
    type_obs public.type_observation,
    intellectual_rights varchar,
    license varchar,
    owner varchar,
    methods text,
    open_data boolean NOT NULL,
    exhaustive boolean NOT NULL,
    direct_obs boolean NOT NULL,
    centroid boolean DEFAULT false,
    doi text DEFAULT '',
    citation text DEFAULT '',
    eml json,
    eml_url text,
    CONSTRAINT unique_dataset UNIQUE (original_source, org_dataset_id)
);

CREATE TABLE IF NOT EXISTS public.variables (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    unit varchar NOT NULL DEFAULT '',
    description text,
    UNIQUE (name, unit)
);

CREATE TABLE IF NOT EXISTS public.efforts (
    id serial PRIMARY KEY,
    id_variables integer NOT NULL REFERENCES public.variables (id),
    effort_value numeric NOT NULL,
    UNIQUE (id_variables, effort_value)
);

CREATE TABLE IF NOT EXISTS public.obs_efforts (
    id_obs bigint NOT NULL,
    id_efforts integer NOT NULL REFERENCES public.efforts (id),
    UNIQUE (id_obs, id_efforts)
);

-- taxa_obs as in production (constraint and index names included).
CREATE TABLE IF NOT EXISTS public.taxa_obs (
    id serial,
    scientific_name text NOT NULL,
    authorship text DEFAULT '' NOT NULL,
    rank text DEFAULT '',
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    modified_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    modified_by text DEFAULT CURRENT_USER NOT NULL,
    parent_scientific_name text,
    CONSTRAINT taxa_obs_pkey PRIMARY KEY (id),
    CONSTRAINT taxa_obs_unique_rows
        UNIQUE (scientific_name, authorship, rank, parent_scientific_name)
);
CREATE INDEX IF NOT EXISTS taxa_obs_scientific_name_idx ON public.taxa_obs (scientific_name);
CREATE OR REPLACE TRIGGER update_modified_at BEFORE UPDATE ON public.taxa_obs
    FOR EACH ROW EXECUTE FUNCTION public.trigger_set_timestamp();
DROP FUNCTION IF EXISTS public.trigger_set_modified_at();

CREATE TABLE IF NOT EXISTS public.regions (
    fid serial PRIMARY KEY,
    type varchar(50) NOT NULL,
    name text NOT NULL,
    scale integer NOT NULL,
    scale_desc text,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    source_table varchar(50),
    source_record_id varchar(50),
    source_updated_at timestamp,
    created_at timestamp NOT NULL DEFAULT now(),
    updated_at timestamp NOT NULL DEFAULT now(),
    area_km2 numeric,
    width_km numeric,
    extra jsonb,
    within_quebec boolean,
    source_dataset_name text,
    source_creator text,
    scale_desc_fr text,
    scale_desc_en text
);
CREATE UNIQUE INDEX IF NOT EXISTS regions_type_source_table_source_record_id_idx
    ON public.regions (type, source_table, source_record_id);
CREATE INDEX IF NOT EXISTS regions_geom_gist ON public.regions USING gist (geom);
CREATE INDEX IF NOT EXISTS regions_name_idx ON public.regions (name);
CREATE INDEX IF NOT EXISTS regions_scale_desc_idx ON public.regions (scale_desc);
CREATE INDEX IF NOT EXISTS regions_type_idx ON public.regions (type);
CREATE INDEX IF NOT EXISTS regions_type_fid_idx ON public.regions (type, fid);
CREATE INDEX IF NOT EXISTS regions_type_scale_idx ON public.regions (type, scale);

-- EPSG:32198 is NAD83 / Québec Lambert, the projection production measures areas in.
CREATE OR REPLACE FUNCTION public.update_area() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.area_km2 := ST_Area(ST_Transform(NEW.geom, 32198)) / 1e6;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION public.update_width_km() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE projected geometry := ST_Transform(NEW.geom, 32198);
BEGIN
    NEW.width_km := (ST_XMax(projected) - ST_XMin(projected)) / 1000;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER update_area BEFORE INSERT OR UPDATE ON public.regions
    FOR EACH ROW EXECUTE FUNCTION public.update_area();
CREATE OR REPLACE TRIGGER update_width_km BEFORE INSERT OR UPDATE ON public.regions
    FOR EACH ROW EXECUTE FUNCTION public.update_width_km();

CREATE TABLE IF NOT EXISTS atlas_api.regions_zoom_lookup (
    type text,
    scale integer,
    zoom integer,
    name_en varchar(50) DEFAULT NULL,
    name_fr varchar(50) DEFAULT NULL,
    show_sensitive boolean DEFAULT false,
    scale_desc_fr varchar(50) DEFAULT NULL,
    scale_desc_en varchar(50) DEFAULT NULL
);
CREATE INDEX IF NOT EXISTS regions_zoom_lookup_type_idx ON atlas_api.regions_zoom_lookup (type);
CREATE INDEX IF NOT EXISTS regions_zoom_lookup_zoom_idx ON atlas_api.regions_zoom_lookup (zoom);
CREATE INDEX IF NOT EXISTS regions_zoom_lookup_show_sensitive_idx
    ON atlas_api.regions_zoom_lookup (show_sensitive);

-- As in production's schema (BiodiversiteQuebec/atlas-db, dump/dump_atlas_schema.sql): the
-- finest scale of each region type at which sensitive taxa are shown. Part of the runbook's
-- public-data dump, so of the reference dump.
CREATE TABLE IF NOT EXISTS atlas_api.sensitive_taxa_max_scale (
    type text,
    scale integer
);

-- The taxonomy groups and the api source-priority tables, as in production (taxa_groups has
-- a unique index on short, not a constraint).
CREATE TABLE IF NOT EXISTS public.taxa_groups (
    id serial,
    short character varying(20),
    vernacular_fr text,
    vernacular_en text,
    level integer,
    source_desc text,
    groups_within text[],
    CONSTRAINT taxa_groups_pkey PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS taxa_groups_short_idx ON public.taxa_groups (short);
CREATE UNIQUE INDEX IF NOT EXISTS taxa_groups_short_unique_idx ON public.taxa_groups (short);

CREATE TABLE IF NOT EXISTS public.taxa_group_members (
    short character varying(20),
    scientific_name text
);

CREATE TABLE IF NOT EXISTS api.taxa_ref_sources (
    source_id integer NOT NULL,
    source_name character varying(255) NOT NULL,
    source_priority integer NOT NULL,
    CONSTRAINT taxa_ref_sources_pkey PRIMARY KEY (source_id)
);
-- Production's priorities (scripts/API_taxa_view.sql), and the demo's offline checklist last.
INSERT INTO api.taxa_ref_sources VALUES
    (1002, 'CDPNQ', 1), (1001, 'Bryoquel', 2), (147, 'VASCAN', 3), (3, 'ITIS', 4),
    (11, 'GBIF Backbone Taxonomy', 5), (1, 'Catalogue of Life', 6), (1000, 'Offline checklist', 7)
ON CONFLICT (source_id) DO NOTHING;

CREATE TABLE IF NOT EXISTS api.taxa_vernacular_sources (
    source_name character varying(255) NOT NULL,
    source_priority integer NOT NULL,
    CONSTRAINT taxa_vernacular_sources_pkey PRIMARY KEY (source_name)
);
INSERT INTO api.taxa_vernacular_sources VALUES
    ('CDPNQ', 1), ('Eliso', 2), ('Bryoquel', 3), ('VASCAN', 4), ('ITIS', 5),
    ('Offline checklist', 6)
ON CONFLICT (source_name) DO NOTHING;
