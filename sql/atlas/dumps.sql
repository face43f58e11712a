-- Atlas dumps: the reproducible sample of observations and the views to refresh after a
-- restore.

-- name: sample_ids
-- Ordered by a seeded hash of the id, not by random(): the same seed and the same rows give
-- the same sample, and PostgreSQL keeps only the top rows while sorting (no full sort).
CREATE TEMP TABLE sample_ids ON COMMIT DROP AS
SELECT id FROM public.observations
ORDER BY hashint8extended(id, %(seed)s), id
LIMIT %(rows)s;

-- name: copy_efforts
COPY (SELECT e.* FROM public.efforts e
      WHERE e.id IN (SELECT oe.id_efforts FROM public.obs_efforts oe
                     JOIN sample_ids s ON s.id = oe.id_obs)
      ORDER BY e.id) TO STDOUT;

-- name: copy_observations
COPY (SELECT o.* FROM public.observations o JOIN sample_ids s USING (id) ORDER BY o.id)
TO STDOUT;

-- name: copy_obs_efforts
COPY (SELECT oe.* FROM public.obs_efforts oe JOIN sample_ids s ON s.id = oe.id_obs
      ORDER BY oe.id_obs, oe.id_efforts) TO STDOUT;

-- name: matviews_in_order
-- Materialized views, each after the views it reads (dependency depth first).
WITH RECURSIVE deps AS (
    SELECT c.oid, 0 AS depth
    FROM pg_class c WHERE c.relkind = 'm'
    UNION ALL
    SELECT d.refobjid, deps.depth + 1
    FROM deps
    JOIN pg_rewrite r ON r.ev_class = deps.oid
    JOIN pg_depend d ON d.objid = r.oid AND d.refobjid <> deps.oid
    JOIN pg_class c ON c.oid = d.refobjid AND c.relkind = 'm'
    WHERE deps.depth < 20
)
SELECT n.nspname, c.relname
FROM (SELECT oid, max(depth) AS depth FROM deps GROUP BY oid) x
JOIN pg_class c ON c.oid = x.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY x.depth DESC, n.nspname, c.relname;

-- name: refresh_matview
REFRESH MATERIALIZED VIEW {view};

-- name: role_names
SELECT coalesce(array_agg(rolname ORDER BY rolname), '{}') FROM pg_roles WHERE rolname !~ '^pg_';
