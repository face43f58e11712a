-- taxa_ref and taxa_obs_ref_lookup: resolve new or changed taxa_obs names (all of them on a
-- full refresh) and merge the answers so taxa_ref ids stay stable across refreshes.
-- Written for production's tables as they are: no UPDATE of taxa_ref (production's
-- update_modified_at trigger sets a column taxa_ref lacks), foreign keys without cascade.

-- name: is_replica
SELECT to_regclass('maint_assets.replica') IS NOT NULL;

-- name: pending
-- Names never resolved, resolved from another text or by another resolver, and names left
-- unresolved without being accepted (they are asked again until they match or are accepted).
SELECT o.id, o.scientific_name, o.authorship, coalesce(o.rank, ''), o.parent_scientific_name,
       coalesce(r.accepted_unresolved AND r.name_key = concat_ws('|', o.scientific_name,
                   o.authorship, coalesce(o.rank, ''), coalesce(o.parent_scientific_name, '')),
                false) AS accepted_before
FROM public.taxa_obs o
LEFT JOIN maint_assets.taxa_obs_resolution r ON r.id_taxa_obs = o.id
WHERE %(full)s
   OR r.id_taxa_obs IS NULL
   OR r.resolver <> %(resolver)s
   OR NOT (r.matched OR r.accepted_unresolved)
   OR r.name_key <> concat_ws('|', o.scientific_name, o.authorship, coalesce(o.rank, ''),
                              coalesce(o.parent_scientific_name, ''))
ORDER BY o.id;

-- name: stage
-- outcome: 'matched' (the answer replaces the name's rows of the resolver's own sources),
-- 'fallback' (accepted unresolved name with GBIF's higher-rank answer, written only when the
-- name has no rows), 'accepted' (accepted unresolved name: only recorded).
CREATE TEMP TABLE resolved_names (
    id_taxa_obs integer PRIMARY KEY,
    name_key text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('matched', 'fallback', 'accepted'))
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
COPY resolved_names (id_taxa_obs, name_key, outcome) FROM STDIN;

-- name: copy_refs
COPY resolved_refs FROM STDIN;

-- name: drop_stale
-- A name edited (or deleted) while it was being resolved keeps its old state: the next
-- refresh resolves it again. A higher-rank fallback never replaces rows a name already has.
DELETE FROM resolved_names n
WHERE NOT EXISTS (
    SELECT 1 FROM public.taxa_obs o
    WHERE o.id = n.id_taxa_obs
      AND n.name_key = concat_ws('|', o.scientific_name, o.authorship, coalesce(o.rank, ''),
                                 coalesce(o.parent_scientific_name, '')));
UPDATE resolved_names n SET outcome = 'accepted'
WHERE n.outcome = 'fallback'
  AND EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_obs = n.id_taxa_obs)
  AND NOT EXISTS (SELECT 1 FROM maint_assets.taxa_obs_resolution s  -- rows of another name
                  WHERE s.id_taxa_obs = n.id_taxa_obs AND s.name_key <> n.name_key);
DELETE FROM resolved_refs r
WHERE NOT EXISTS (SELECT 1 FROM resolved_names n
                  WHERE n.id_taxa_obs = r.id_taxa_obs AND n.outcome <> 'accepted');

-- name: insert_refs
-- New reference records; an existing one is never overwritten here.
WITH added AS (
    INSERT INTO public.taxa_ref (source_name, source_id, source_record_id, scientific_name,
                                 authorship, rank, valid, valid_srid, classification_srids)
    SELECT DISTINCT ON (source_name, source_record_id)
           source_name, source_id, source_record_id, scientific_name, authorship, rank, valid,
           valid_srid, classification_srids
    FROM resolved_refs
    ORDER BY source_name, source_record_id, is_parent
    ON CONFLICT (source_name, source_record_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added;

-- name: changed_refs
-- Records whose content changed at their source. Only a name's own records count: a record
-- mentioned as someone's ancestor carries less (no authorship) and never overwrites what was
-- matched for the record itself. What references them is kept aside: the rewrite below
-- deletes them, and a key ON DELETE CASCADE (maint_assets' own bookkeeping; the lookup's key
-- as atlas-db's scripts/TAXA_ref.sql declare it) would take those rows with them.
CREATE TEMP TABLE changed_refs ON COMMIT DROP AS
SELECT DISTINCT ON (t.id) t.id, r.source_name, r.source_id, r.source_record_id,
       r.scientific_name, r.authorship, r.rank, r.valid, r.valid_srid, r.classification_srids
FROM resolved_refs r
JOIN public.taxa_ref t USING (source_name, source_record_id)
WHERE NOT r.is_parent
  AND (t.source_id, t.scientific_name, t.authorship, t.rank, t.valid, t.valid_srid,
       t.classification_srids)
      IS DISTINCT FROM
      (r.source_id, r.scientific_name, r.authorship, r.rank, r.valid, r.valid_srid,
       r.classification_srids)
ORDER BY t.id;
CREATE TEMP TABLE changed_refs_lookup ON COMMIT DROP AS
SELECT l.* FROM public.taxa_obs_ref_lookup l JOIN changed_refs c ON c.id = l.id_taxa_ref;
CREATE TEMP TABLE changed_refs_vernacular ON COMMIT DROP AS
SELECT rv.* FROM maint_assets.taxa_ref_vernacular rv JOIN changed_refs c ON c.id = rv.id_taxa_ref;
CREATE TEMP TABLE changed_refs_vernacular_resolution ON COMMIT DROP AS
SELECT s.* FROM maint_assets.taxa_ref_vernacular_resolution s
JOIN changed_refs c ON c.id = s.id_taxa_ref;

-- name: replace_refs
-- A changed record is rewritten under the same id, by delete and insert in one statement
-- (the lookups' foreign keys see the id present at its end; production's update_modified_at
-- trigger refuses an UPDATE).
WITH gone AS (
    DELETE FROM public.taxa_ref t USING changed_refs c WHERE t.id = c.id
    RETURNING t.id, t.created_at
), replaced AS (
    INSERT INTO public.taxa_ref (id, source_name, source_id, source_record_id, scientific_name,
                                 authorship, rank, valid, valid_srid, classification_srids,
                                 created_at)
    SELECT c.id, c.source_name, c.source_id, c.source_record_id, c.scientific_name,
           c.authorship, c.rank, c.valid, c.valid_srid, c.classification_srids, g.created_at
    FROM changed_refs c JOIN gone g USING (id)
    RETURNING 1
)
SELECT count(*) FROM replaced;

-- name: restore_changed_refs
-- What a cascading key removed with the rewritten records: the id is the same, so it holds.
INSERT INTO public.taxa_obs_ref_lookup SELECT * FROM changed_refs_lookup ON CONFLICT DO NOTHING;
INSERT INTO maint_assets.taxa_ref_vernacular SELECT * FROM changed_refs_vernacular
ON CONFLICT DO NOTHING;
INSERT INTO maint_assets.taxa_ref_vernacular_resolution
SELECT * FROM changed_refs_vernacular_resolution ON CONFLICT DO NOTHING;

-- name: new_lookup
CREATE TEMP TABLE new_lookup ON COMMIT DROP AS
SELECT DISTINCT ON (r.id_taxa_obs, ref.id)
       r.id_taxa_obs, ref.id AS id_taxa_ref, valid_ref.id AS id_taxa_ref_valid,
       r.match_type, r.is_parent
FROM resolved_refs r
JOIN public.taxa_ref ref
  ON ref.source_name = r.source_name AND ref.source_record_id = r.source_record_id
JOIN public.taxa_ref valid_ref
  ON valid_ref.source_name = r.source_name AND valid_ref.source_record_id = r.valid_srid
ORDER BY r.id_taxa_obs, ref.id, r.is_parent;

-- name: remove_lookup
-- Only the rows of the names just matched, and of them only the rows of the resolver's own
-- sources (production's VASCAN, CDPNQ... rows stay), unless the name's text changed since
-- the project last resolved it: then every old row describes another name, and goes
-- whatever the outcome (a name accepted unresolved is left with none, as production's
-- delete-and-resolve-again leaves it).
WITH removed AS (
    DELETE FROM public.taxa_obs_ref_lookup l
    USING resolved_names n, public.taxa_ref ref
    WHERE n.id_taxa_obs = l.id_taxa_obs
      AND ref.id = l.id_taxa_ref
      AND ((n.outcome IN ('matched', 'fallback') AND ref.source_name = ANY (%(sources)s))
           OR EXISTS (SELECT 1 FROM maint_assets.taxa_obs_resolution s
                      WHERE s.id_taxa_obs = n.id_taxa_obs AND s.name_key <> n.name_key))
      AND NOT EXISTS (
          SELECT 1 FROM new_lookup x
          WHERE x.id_taxa_obs = l.id_taxa_obs AND x.id_taxa_ref = l.id_taxa_ref
            AND x.id_taxa_ref_valid = l.id_taxa_ref_valid
            AND x.match_type IS NOT DISTINCT FROM l.match_type
            AND x.is_parent IS NOT DISTINCT FROM l.is_parent)
    RETURNING l.id_taxa_ref, l.id_taxa_ref_valid
)
INSERT INTO unlinked_refs
SELECT id_taxa_ref FROM removed UNION SELECT id_taxa_ref_valid FROM removed
ON CONFLICT DO NOTHING;

-- name: add_lookup
INSERT INTO public.taxa_obs_ref_lookup (id_taxa_obs, id_taxa_ref, id_taxa_ref_valid, match_type,
                                        is_parent)
SELECT id_taxa_obs, id_taxa_ref, id_taxa_ref_valid, match_type, is_parent FROM new_lookup
ON CONFLICT (id_taxa_obs, id_taxa_ref) DO NOTHING;

-- name: record_resolution
INSERT INTO maint_assets.taxa_obs_resolution AS s (id_taxa_obs, name_key, matched,
                                                   accepted_unresolved, resolver)
SELECT id_taxa_obs, name_key, outcome = 'matched', outcome <> 'matched', %(resolver)s
FROM resolved_names
ON CONFLICT (id_taxa_obs) DO UPDATE
SET name_key = EXCLUDED.name_key, matched = EXCLUDED.matched,
    accepted_unresolved = EXCLUDED.accepted_unresolved, resolver = EXCLUDED.resolver,
    resolved_at = now();

-- name: track_unlinked
-- Reference records this run unlinked from a name, candidates for removal once no name
-- uses them (kept for the whole session: merges commit batch by batch).
CREATE TEMP TABLE IF NOT EXISTS unlinked_refs (id integer PRIMARY KEY);
TRUNCATE unlinked_refs;

-- name: track_unlinked_records
-- Records of the resolver's own sources that no name links any more, although this run
-- unlinked none of them: the names that used them were deleted (a name merged into another:
-- production's key makes its lookup rows go first). Nothing references them, which is the
-- evidence; production's refresh (everything deleted, every name resolved again) drops them.
INSERT INTO unlinked_refs
SELECT r.id FROM public.taxa_ref r
WHERE r.source_name = ANY (%(sources)s)
  AND NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref = r.id)
  AND NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref_valid = r.id)
ON CONFLICT DO NOTHING;

-- name: unlink_orphan_refs_vernacular
-- The records about to be removed lend their vernacular names to taxa_obs through
-- maint_assets.taxa_ref_vernacular, which goes with them (ON DELETE CASCADE): the vernacular
-- step would then no longer know those names as its own, nor unlink them. So the links they
-- alone lent are removed here, as the vernacular step would remove them.
WITH orphans AS (
    SELECT u.id FROM unlinked_refs u
    WHERE NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref = u.id)
      AND NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref_valid = u.id)
), lent AS (
    SELECT DISTINCT rv.id_taxa_vernacular
    FROM maint_assets.taxa_ref_vernacular rv JOIN orphans o ON o.id = rv.id_taxa_ref
)
DELETE FROM public.taxa_obs_vernacular_lookup vl
USING lent
WHERE vl.id_taxa_vernacular = lent.id_taxa_vernacular
  AND NOT EXISTS (
      SELECT 1 FROM public.taxa_obs_ref_lookup l
      JOIN maint_assets.taxa_ref_vernacular rv ON rv.id_taxa_ref = l.id_taxa_ref
      WHERE l.id_taxa_obs = vl.id_taxa_obs AND rv.id_taxa_vernacular = vl.id_taxa_vernacular);

-- name: remove_orphan_refs
-- Only records this run unlinked, and only once no name links them any more: the rest of
-- taxa_ref (whatever production wrote) is not this refresh's to delete.
DELETE FROM public.taxa_ref r
USING unlinked_refs u
WHERE r.id = u.id
  AND NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref = r.id)
  AND NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_ref_valid = r.id);

-- name: totals
SELECT (SELECT count(*) FROM public.taxa_ref),
       (SELECT count(*) FROM public.taxa_obs_ref_lookup),
       (SELECT count(*) FROM public.taxa_obs),
       (SELECT count(*) FROM maint_assets.taxa_obs_resolution WHERE accepted_unresolved);
