-- Taxonomy tables derived from taxa_obs through a taxonomy resolver, defined as production's
-- schema dump defines them (columns and their order, types, defaults, constraint, index and
-- trigger names): the project's refreshes are written for, and tested against, these.

CREATE TABLE IF NOT EXISTS public.taxa_ref (
    id serial,
    source_name text NOT NULL,
    source_id numeric,
    source_record_id text NOT NULL,
    scientific_name text NOT NULL,
    authorship text,
    rank text NOT NULL,
    valid boolean NOT NULL,
    valid_srid text NOT NULL,
    classification_srids text[],
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT taxa_ref_pkey PRIMARY KEY (id),
    CONSTRAINT taxa_ref_source_name_source_record_id_key UNIQUE (source_name, source_record_id)
);
CREATE INDEX IF NOT EXISTS scientific_name_idx ON public.taxa_ref (scientific_name);
CREATE INDEX IF NOT EXISTS source_id_srid_idx ON public.taxa_ref (source_id, valid_srid);
-- Production's trigger as it is: it sets modified_at, a column taxa_ref does not have, so any
-- UPDATE of taxa_ref fails there (the refresh rewrites a changed row by delete and insert).
CREATE OR REPLACE TRIGGER update_modified_at BEFORE UPDATE ON public.taxa_ref
    FOR EACH ROW EXECUTE FUNCTION public.trigger_set_timestamp();

-- No ON DELETE action: a taxa_obs or taxa_ref row still linked cannot be deleted.
CREATE TABLE IF NOT EXISTS public.taxa_obs_ref_lookup (
    id_taxa_obs integer NOT NULL,
    id_taxa_ref integer NOT NULL,
    id_taxa_ref_valid integer NOT NULL,
    match_type text,
    is_parent boolean,
    CONSTRAINT taxa_obs_ref_lookup_id_taxa_obs_id_taxa_ref_key UNIQUE (id_taxa_obs, id_taxa_ref),
    CONSTRAINT taxa_obs_ref_lookup_id_taxa_obs_fkey
        FOREIGN KEY (id_taxa_obs) REFERENCES public.taxa_obs (id),
    CONSTRAINT taxa_obs_ref_lookup_id_taxa_ref_fkey
        FOREIGN KEY (id_taxa_ref) REFERENCES public.taxa_ref (id)
);
CREATE INDEX IF NOT EXISTS id_taxa_obs_idx ON public.taxa_obs_ref_lookup (id_taxa_obs);
CREATE INDEX IF NOT EXISTS id_taxa_ref_idx ON public.taxa_obs_ref_lookup (id_taxa_ref);
CREATE INDEX IF NOT EXISTS id_taxa_ref_valid_idx ON public.taxa_obs_ref_lookup (id_taxa_ref_valid);

CREATE TABLE IF NOT EXISTS public.taxa_vernacular (
    id serial,
    source_name text NOT NULL,
    source_record_id text NOT NULL,
    name text NOT NULL,
    language text NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    modified_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    modified_by text DEFAULT CURRENT_USER NOT NULL,
    rank text,
    rank_order integer DEFAULT 9999 NOT NULL,
    CONSTRAINT taxa_vernacular_pkey PRIMARY KEY (id),
    CONSTRAINT taxa_vernacular_source_name_source_record_id_language_key
        UNIQUE (source_name, source_record_id, language)
);
-- (Production names this index of taxa_vernacular after the lookup table.)
CREATE INDEX IF NOT EXISTS taxa_obs_vernacular_lookup_rank_order_idx
    ON public.taxa_vernacular (rank_order);
CREATE INDEX IF NOT EXISTS taxa_vernacular_language_idx ON public.taxa_vernacular (language);
CREATE INDEX IF NOT EXISTS taxa_vernacular_source_name_idx ON public.taxa_vernacular (source_name);
CREATE INDEX IF NOT EXISTS taxa_vernacular_source_record_id_idx
    ON public.taxa_vernacular (source_record_id);
CREATE OR REPLACE TRIGGER update_modified_at BEFORE UPDATE ON public.taxa_vernacular
    FOR EACH ROW EXECUTE FUNCTION public.trigger_set_timestamp();

CREATE TABLE IF NOT EXISTS public.taxa_obs_vernacular_lookup (
    id_taxa_obs integer NOT NULL,
    id_taxa_vernacular integer NOT NULL,
    match_type text,
    rank_order integer DEFAULT 0 NOT NULL,
    CONSTRAINT taxa_obs_vernacular_lookup_id_taxa_obs_id_taxa_vernacular_key
        UNIQUE (id_taxa_obs, id_taxa_vernacular)
);
CREATE INDEX IF NOT EXISTS taxa_obs_vernacular_lookup_id_taxa_obs_idx
    ON public.taxa_obs_vernacular_lookup (id_taxa_obs);
CREATE INDEX IF NOT EXISTS taxa_obs_vernacular_lookup_id_taxa_vernacular_idx
    ON public.taxa_obs_vernacular_lookup (id_taxa_vernacular);
CREATE INDEX IF NOT EXISTS taxa_obs_vernacular_lookup_match_type_idx
    ON public.taxa_obs_vernacular_lookup (match_type);

-- The taxa_obs that are synonyms of each other (same valid reference record), as production
-- defines it; its name search (match_taxa_obs) reads it.
CREATE OR REPLACE VIEW public.taxa_obs_synonym_lookup AS
SELECT DISTINCT match_obs.id_taxa_obs, synonym_obs.id_taxa_obs AS id_taxa_obs_synonym
FROM public.taxa_obs_ref_lookup match_obs
LEFT JOIN public.taxa_obs_ref_lookup synonym_obs
       ON match_obs.id_taxa_ref_valid = synonym_obs.id_taxa_ref
WHERE match_obs.is_parent IS FALSE AND synonym_obs.is_parent IS FALSE
  AND match_obs.id_taxa_obs <> synonym_obs.id_taxa_obs;
