-- taxa_vernacular and taxa_obs_vernacular_lookup: vernacular names of the valid taxa_ref rows
-- of the resolver's sources not yet asked (all on a full refresh): every name the answer
-- gives in French and English, one per (source, source record, language), as production
-- stores them; then the per-taxa_obs links of those names rebuilt set-based. Names and links
-- production wrote otherwise (CDPNQ, Eliso, Bryoquel, Wikidata...) are never removed: only
-- what this project linked is managed, and of taxa_vernacular only the rows it inserted
-- itself are ever deleted.

-- name: pending
SELECT r.id, r.source_name, r.source_record_id, r.scientific_name, r.rank
FROM public.taxa_ref r
LEFT JOIN maint_assets.taxa_ref_vernacular_resolution v ON v.id_taxa_ref = r.id
WHERE r.valid AND r.source_name = ANY (%(sources)s)
  AND (%(full)s OR v.id_taxa_ref IS NULL OR v.resolver <> %(resolver)s)
ORDER BY r.id;

-- name: track_unlinked
-- Vernacular names this run unlinked, candidates for removal once nothing uses them.
CREATE TEMP TABLE IF NOT EXISTS unlinked_vernacular (id integer PRIMARY KEY);
TRUNCATE unlinked_vernacular;

-- name: stage
CREATE TEMP TABLE resolved_vernacular (
    id_taxa_ref integer NOT NULL,
    source_name text NOT NULL,
    source_record_id text NOT NULL,
    name text NOT NULL,
    language text NOT NULL,
    rank text,
    rank_order integer NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE resolved_vernacular_refs (id_taxa_ref integer PRIMARY KEY) ON COMMIT DROP;

-- name: copy_vernacular
COPY resolved_vernacular FROM STDIN;

-- name: copy_refs
COPY resolved_vernacular_refs FROM STDIN;

-- name: upsert_vernacular
-- (source, the source's record, language) is one name; when the source renames it, the row
-- follows (production's update_modified_at trigger stamps modified_at). Two taxa answering
-- the same one: the name of the taxon production asks first (it goes through taxa_ref by
-- scientific name and rank, and keeps the first name inserted).
WITH merged AS (
    INSERT INTO public.taxa_vernacular AS t (source_name, source_record_id, name, language, rank,
                                             rank_order)
    SELECT DISTINCT ON (r.source_name, r.source_record_id, r.language)
           r.source_name, r.source_record_id, r.name, r.language, r.rank, r.rank_order
    FROM resolved_vernacular r
    JOIN public.taxa_ref ref ON ref.id = r.id_taxa_ref
    ORDER BY r.source_name, r.source_record_id, r.language, ref.scientific_name, ref.rank
    ON CONFLICT (source_name, source_record_id, language) DO UPDATE
    SET name = EXCLUDED.name, rank = EXCLUDED.rank, rank_order = EXCLUDED.rank_order,
        modified_by = current_user
    WHERE (t.name, t.rank, t.rank_order) IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.rank, EXCLUDED.rank_order)
    RETURNING t.id, (xmax = 0) AS inserted
), created AS (
    INSERT INTO maint_assets.taxa_vernacular_created (id_taxa_vernacular)
    SELECT id FROM merged WHERE inserted
    ON CONFLICT DO NOTHING
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: relink_refs
-- A taxon's names in a language are replaced only by an answer naming some in that language:
-- an answer without any (empty, or partial: GBIF's pages are not always complete) is no
-- evidence that the names are gone, so the links stay (listed by kept_without_answer).
WITH dropped AS (
    DELETE FROM maint_assets.taxa_ref_vernacular rv
    USING public.taxa_vernacular v
    WHERE v.id = rv.id_taxa_vernacular
      AND EXISTS (SELECT 1 FROM resolved_vernacular r
                  WHERE r.id_taxa_ref = rv.id_taxa_ref AND r.language = v.language)
    RETURNING rv.id_taxa_vernacular
)
INSERT INTO unlinked_vernacular SELECT DISTINCT id_taxa_vernacular FROM dropped
ON CONFLICT DO NOTHING;
INSERT INTO maint_assets.taxa_ref_vernacular (id_taxa_ref, id_taxa_vernacular)
SELECT DISTINCT r.id_taxa_ref, v.id
FROM resolved_vernacular r
JOIN public.taxa_vernacular v USING (source_name, source_record_id, language);

-- name: kept_without_answer
SELECT t.scientific_name, string_agg(DISTINCT v.language, ', ' ORDER BY v.language), count(*)
FROM maint_assets.taxa_ref_vernacular rv
JOIN resolved_vernacular_refs a USING (id_taxa_ref)
JOIN public.taxa_ref t ON t.id = rv.id_taxa_ref
JOIN public.taxa_vernacular v ON v.id = rv.id_taxa_vernacular
WHERE NOT EXISTS (SELECT 1 FROM resolved_vernacular r
                  WHERE r.id_taxa_ref = rv.id_taxa_ref AND r.language = v.language)
GROUP BY t.scientific_name;

-- name: record_resolution
INSERT INTO maint_assets.taxa_ref_vernacular_resolution AS s (id_taxa_ref, resolver)
SELECT id_taxa_ref, %(resolver)s FROM resolved_vernacular_refs
ON CONFLICT (id_taxa_ref) DO UPDATE SET resolver = EXCLUDED.resolver, resolved_at = now();

-- name: desired_lookup
-- As production links names: every lookup row of a taxa_obs lends the names of its
-- reference record, with the row's match type ('parent' for an ancestor's).
CREATE TEMP TABLE desired_vernacular_lookup ON COMMIT DROP AS
SELECT DISTINCT ON (l.id_taxa_obs, rv.id_taxa_vernacular)
       l.id_taxa_obs, rv.id_taxa_vernacular, coalesce(l.match_type, 'parent') AS match_type
FROM public.taxa_obs_ref_lookup l
JOIN maint_assets.taxa_ref_vernacular rv ON rv.id_taxa_ref = l.id_taxa_ref
ORDER BY l.id_taxa_obs, rv.id_taxa_vernacular, coalesce(l.match_type, 'parent');

-- name: remove_lookup
-- Only links to names this project manages (or has just unlinked).
WITH removed AS (
    DELETE FROM public.taxa_obs_vernacular_lookup l
    WHERE (EXISTS (SELECT 1 FROM maint_assets.taxa_ref_vernacular rv
                   WHERE rv.id_taxa_vernacular = l.id_taxa_vernacular)
           OR l.id_taxa_vernacular IN (SELECT id FROM unlinked_vernacular))
      AND NOT EXISTS (
          SELECT 1 FROM desired_vernacular_lookup d
          WHERE d.id_taxa_obs = l.id_taxa_obs AND d.id_taxa_vernacular = l.id_taxa_vernacular
            AND d.match_type IS NOT DISTINCT FROM l.match_type)
    RETURNING l.id_taxa_vernacular
), tracked AS (
    INSERT INTO unlinked_vernacular SELECT DISTINCT id_taxa_vernacular FROM removed
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM removed;

-- name: add_lookup
INSERT INTO public.taxa_obs_vernacular_lookup (id_taxa_obs, id_taxa_vernacular, match_type)
SELECT id_taxa_obs, id_taxa_vernacular, match_type FROM desired_vernacular_lookup
ON CONFLICT (id_taxa_obs, id_taxa_vernacular) DO NOTHING;

-- name: remove_orphan_vernacular
-- Only names this project inserted and this run unlinked, once neither a reference record nor
-- a taxa_obs uses them: a name production wrote is never deleted here.
DELETE FROM public.taxa_vernacular v
USING unlinked_vernacular u, maint_assets.taxa_vernacular_created c
WHERE v.id = u.id AND c.id_taxa_vernacular = v.id
  AND NOT EXISTS (SELECT 1 FROM maint_assets.taxa_ref_vernacular rv
                  WHERE rv.id_taxa_vernacular = v.id)
  AND NOT EXISTS (SELECT 1 FROM public.taxa_obs_vernacular_lookup l
                  WHERE l.id_taxa_vernacular = v.id);

-- name: totals
SELECT (SELECT count(*) FROM public.taxa_vernacular),
       (SELECT count(*) FROM public.taxa_obs_vernacular_lookup);
