-- Taxonomy tables derived from taxa_obs through a taxonomy resolver.
CREATE TABLE IF NOT EXISTS public.taxa_ref (
    id serial PRIMARY KEY,
    source_name text NOT NULL,
    source_id numeric,
    source_record_id text NOT NULL,
    scientific_name text NOT NULL,
    authorship text,
    rank text NOT NULL,
    valid boolean NOT NULL,
    valid_srid text NOT NULL,
    classification_srids text[],
    created_at timestamptz DEFAULT now(),
    UNIQUE (source_name, source_record_id)
);
CREATE INDEX IF NOT EXISTS taxa_ref_scientific_name_idx ON public.taxa_ref (scientific_name);
CREATE INDEX IF NOT EXISTS taxa_ref_source_id_valid_srid_idx ON public.taxa_ref (source_id, valid_srid);

CREATE TABLE IF NOT EXISTS public.taxa_obs_ref_lookup (
    id_taxa_obs integer NOT NULL REFERENCES public.taxa_obs (id) ON DELETE CASCADE,
    id_taxa_ref integer NOT NULL REFERENCES public.taxa_ref (id) ON DELETE CASCADE,
    id_taxa_ref_valid integer NOT NULL,
    match_type text,
    is_parent boolean,
    UNIQUE (id_taxa_obs, id_taxa_ref)
);
CREATE INDEX IF NOT EXISTS taxa_obs_ref_lookup_id_taxa_obs_idx ON public.taxa_obs_ref_lookup (id_taxa_obs);
CREATE INDEX IF NOT EXISTS taxa_obs_ref_lookup_id_taxa_ref_idx ON public.taxa_obs_ref_lookup (id_taxa_ref);
CREATE INDEX IF NOT EXISTS taxa_obs_ref_lookup_id_taxa_ref_valid_idx
    ON public.taxa_obs_ref_lookup (id_taxa_ref_valid);

CREATE TABLE IF NOT EXISTS public.taxa_vernacular (
    id serial PRIMARY KEY,
    source_name text NOT NULL,
    source_record_id text NOT NULL,
    name text NOT NULL,
    language text NOT NULL,
    created_at timestamptz DEFAULT now(),
    modified_at timestamptz DEFAULT now(),
    modified_by text DEFAULT current_user,
    rank text,
    rank_order integer NOT NULL DEFAULT 9999,
    UNIQUE (source_name, source_record_id, language)
);
CREATE INDEX IF NOT EXISTS taxa_vernacular_language_idx ON public.taxa_vernacular (language);
CREATE INDEX IF NOT EXISTS taxa_vernacular_source_name_idx ON public.taxa_vernacular (source_name);
CREATE INDEX IF NOT EXISTS taxa_vernacular_source_record_id_idx ON public.taxa_vernacular (source_record_id);
CREATE INDEX IF NOT EXISTS taxa_vernacular_rank_order_idx ON public.taxa_vernacular (rank_order);

CREATE TABLE IF NOT EXISTS public.taxa_obs_vernacular_lookup (
    id_taxa_obs integer NOT NULL,
    id_taxa_vernacular integer NOT NULL,
    match_type text,
    rank_order integer NOT NULL DEFAULT 0,
    UNIQUE (id_taxa_obs, id_taxa_vernacular)
);
