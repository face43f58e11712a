-- taxa_ref and taxa_obs_ref_lookup: resolve new or changed taxa_obs names (all of them on a
-- full refresh) and merge the answers so taxa_ref ids stay stable across refreshes.

-- name: pending
SELECT o.id, o.scientific_name, o.authorship, coalesce(o.rank, ''), o.parent_scientific_name
FROM public.taxa_obs o
LEFT JOIN maint_assets.taxa_obs_resolution r ON r.id_taxa_obs = o.id
WHERE %(full)s
   OR r.id_taxa_obs IS NULL
   OR r.resolver <> %(resolver)s
   OR r.name_key <> concat_ws('|', o.scientific_name, o.authorship, coalesce(o.rank, ''),
                              coalesce(o.parent_scientific_name, ''))
ORDER BY o.id;

-- name: stage
CREATE TEMP TABLE resolved_names (
    id_taxa_obs integer PRIMARY KEY,
    name_key text NOT NULL,
    matched boolean NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE resolved_refs (
    id_taxa_obs integer NOT NULL,
    source_name text NOT NULL,
    source_id numeric,
    source_record_id text NOT NULL,
    scientific_name text NOT NULL,
    authorship text,
    rank text NOT NULL,
    valid boolean NOT NULL,
    valid_srid text NOT NULL,
    classification_srids text[],
    match_type text,
    is_parent boolean NOT NULL
) ON COMMIT DROP;

-- name: copy_names
COPY resolved_names (id_taxa_obs, name_key, matched) FROM STDIN;

-- name: copy_refs
COPY resolved_refs FROM STDIN;

-- name: drop_stale
-- A name edited (or deleted) while it was being resolved keeps its old state: the next
-- refresh resolves it again.
DELETE FROM resolved_names n
WHERE NOT EXISTS (
    SELECT 1 FROM public.taxa_obs o
    WHERE o.id = n.id_taxa_obs
      AND n.name_key = concat_ws('|', o.scientific_name, o.authorship, coalesce(o.rank, ''),
                                 coalesce(o.parent_scientific_name, '')));
DELETE FROM resolved_refs r
WHERE NOT EXISTS (SELECT 1 FROM resolved_names n WHERE n.id_taxa_obs = r.id_taxa_obs);

-- name: upsert_refs
WITH merged AS (
    INSERT INTO public.taxa_ref AS t (source_name, source_id, source_record_id, scientific_name,
                                      authorship, rank, valid, valid_srid, classification_srids)
    SELECT DISTINCT ON (source_name, source_record_id)
           source_name, source_id, source_record_id, scientific_name, authorship, rank, valid,
           valid_srid, classification_srids
    FROM resolved_refs
    ORDER BY source_name, source_record_id, valid DESC
    ON CONFLICT (source_name, source_record_id) DO UPDATE
    SET source_id = EXCLUDED.source_id, scientific_name = EXCLUDED.scientific_name,
        authorship = EXCLUDED.authorship, rank = EXCLUDED.rank, valid = EXCLUDED.valid,
        valid_srid = EXCLUDED.valid_srid, classification_srids = EXCLUDED.classification_srids
    WHERE (t.source_id, t.scientific_name, t.authorship, t.rank, t.valid, t.valid_srid,
           t.classification_srids)
          IS DISTINCT FROM
          (EXCLUDED.source_id, EXCLUDED.scientific_name, EXCLUDED.authorship, EXCLUDED.rank,
           EXCLUDED.valid, EXCLUDED.valid_srid, EXCLUDED.classification_srids)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: new_lookup
CREATE TEMP TABLE new_lookup ON COMMIT DROP AS
SELECT DISTINCT ON (r.id_taxa_obs, ref.id)
       r.id_taxa_obs, ref.id AS id_taxa_ref, coalesce(valid_ref.id, ref.id) AS id_taxa_ref_valid,
       r.match_type, r.is_parent
FROM resolved_refs r
JOIN public.taxa_ref ref
  ON ref.source_name = r.source_name AND ref.source_record_id = r.source_record_id
LEFT JOIN public.taxa_ref valid_ref
  ON valid_ref.source_name = r.source_name AND valid_ref.source_record_id = r.valid_srid
ORDER BY r.id_taxa_obs, ref.id, r.is_parent;

-- name: remove_lookup
DELETE FROM public.taxa_obs_ref_lookup l
WHERE l.id_taxa_obs IN (SELECT id_taxa_obs FROM resolved_names)
  AND NOT EXISTS (
      SELECT 1 FROM new_lookup n
      WHERE n.id_taxa_obs = l.id_taxa_obs AND n.id_taxa_ref = l.id_taxa_ref
        AND n.id_taxa_ref_valid = l.id_taxa_ref_valid
        AND n.match_type IS NOT DISTINCT FROM l.match_type
        AND n.is_parent IS NOT DISTINCT FROM l.is_parent);

-- name: add_lookup
INSERT INTO public.taxa_obs_ref_lookup (id_taxa_obs, id_taxa_ref, id_taxa_ref_valid, match_type,
                                        is_parent)
SELECT id_taxa_obs, id_taxa_ref, id_taxa_ref_valid, match_type, is_parent FROM new_lookup
ON CONFLICT (id_taxa_obs, id_taxa_ref) DO NOTHING;

-- name: record_resolution
INSERT INTO maint_assets.taxa_obs_resolution AS s (id_taxa_obs, name_key, matched, resolver)
SELECT id_taxa_obs, name_key, matched, %(resolver)s FROM resolved_names
ON CONFLICT (id_taxa_obs) DO UPDATE
SET name_key = EXCLUDED.name_key, matched = EXCLUDED.matched, resolver = EXCLUDED.resolver,
    resolved_at = now();

-- name: remove_orphan_refs
DELETE FROM public.taxa_ref r
WHERE NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref = r.id)
  AND NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref_valid = r.id);

-- name: totals
SELECT (SELECT count(*) FROM public.taxa_ref),
       (SELECT count(*) FROM public.taxa_obs_ref_lookup),
       (SELECT count(*) FROM public.taxa_obs),
       (SELECT count(*) FROM maint_assets.taxa_obs_resolution WHERE NOT matched);
