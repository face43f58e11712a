-- taxa_vernacular and taxa_obs_vernacular_lookup: vernacular names of valid taxa_ref rows
-- not yet asked (all on a full refresh), then the per-taxa_obs links rebuilt set-based.

-- name: pending
SELECT r.id, r.source_name, r.source_record_id, r.scientific_name, r.rank
FROM public.taxa_ref r
LEFT JOIN maint_assets.taxa_ref_vernacular_resolution v ON v.id_taxa_ref = r.id
WHERE r.valid AND (%(full)s OR v.id_taxa_ref IS NULL OR v.resolver <> %(resolver)s)
ORDER BY r.id;

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
WITH merged AS (
    INSERT INTO public.taxa_vernacular AS t (source_name, source_record_id, name, language, rank,
                                             rank_order)
    SELECT DISTINCT ON (source_name, source_record_id, language)
           source_name, source_record_id, name, language, rank, rank_order
    FROM resolved_vernacular
    ORDER BY source_name, source_record_id, language, name
    ON CONFLICT (source_name, source_record_id, language) DO UPDATE
    SET name = EXCLUDED.name, rank = EXCLUDED.rank, rank_order = EXCLUDED.rank_order,
        modified_at = now(), modified_by = current_user
    WHERE (t.name, t.rank, t.rank_order) IS DISTINCT FROM
          (EXCLUDED.name, EXCLUDED.rank, EXCLUDED.rank_order)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: relink_refs
DELETE FROM maint_assets.taxa_ref_vernacular
WHERE id_taxa_ref IN (SELECT id_taxa_ref FROM resolved_vernacular_refs);
INSERT INTO maint_assets.taxa_ref_vernacular (id_taxa_ref, id_taxa_vernacular)
SELECT DISTINCT r.id_taxa_ref, v.id
FROM resolved_vernacular r
JOIN public.taxa_vernacular v USING (source_name, source_record_id, language);

-- name: record_resolution
INSERT INTO maint_assets.taxa_ref_vernacular_resolution AS s (id_taxa_ref, resolver)
SELECT id_taxa_ref, %(resolver)s FROM resolved_vernacular_refs
ON CONFLICT (id_taxa_ref) DO UPDATE SET resolver = EXCLUDED.resolver, resolved_at = now();

-- name: desired_lookup
-- A taxa_obs carries the names of its own valid taxon and, marked 'parent', of its ancestors;
-- members of a complex do not lend theirs to the complex.
CREATE TEMP TABLE desired_vernacular_lookup ON COMMIT DROP AS
SELECT DISTINCT ON (l.id_taxa_obs, rv.id_taxa_vernacular)
       l.id_taxa_obs, rv.id_taxa_vernacular,
       CASE WHEN l.is_parent THEN 'parent' ELSE l.match_type END AS match_type,
       v.rank_order
FROM public.taxa_obs_ref_lookup l
JOIN maint_assets.taxa_ref_vernacular rv ON rv.id_taxa_ref = l.id_taxa_ref_valid
JOIN public.taxa_vernacular v ON v.id = rv.id_taxa_vernacular
WHERE l.match_type IS DISTINCT FROM 'complex'
ORDER BY l.id_taxa_obs, rv.id_taxa_vernacular, l.is_parent;

-- name: remove_lookup
DELETE FROM public.taxa_obs_vernacular_lookup l
WHERE NOT EXISTS (
    SELECT 1 FROM desired_vernacular_lookup d
    WHERE d.id_taxa_obs = l.id_taxa_obs AND d.id_taxa_vernacular = l.id_taxa_vernacular
      AND d.match_type IS NOT DISTINCT FROM l.match_type AND d.rank_order = l.rank_order);

-- name: add_lookup
INSERT INTO public.taxa_obs_vernacular_lookup (id_taxa_obs, id_taxa_vernacular, match_type,
                                               rank_order)
SELECT id_taxa_obs, id_taxa_vernacular, match_type, rank_order FROM desired_vernacular_lookup
ON CONFLICT (id_taxa_obs, id_taxa_vernacular) DO NOTHING;

-- name: remove_orphan_vernacular
DELETE FROM public.taxa_vernacular v
WHERE NOT EXISTS (SELECT 1 FROM maint_assets.taxa_ref_vernacular rv
                  WHERE rv.id_taxa_vernacular = v.id);

-- name: totals
SELECT (SELECT count(*) FROM public.taxa_vernacular),
       (SELECT count(*) FROM public.taxa_obs_vernacular_lookup);
