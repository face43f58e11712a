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

-- name: all_role_names
-- The predefined pg_ roles too (pg_database_owner owns schema public).
SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles;

-- name: givable_role_names
-- The roles the current one may give an object to (ALTER ... OWNER: those it is a member of;
-- every role for a superuser).
SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles
WHERE pg_has_role(current_user, oid, 'MEMBER');

-- name: sample_triggers_off
-- Written at the head of the sample, run where it is loaded. The sample holds the rows as
-- production stored them: the tables' own row triggers (production's action_user_logger
-- rewrites modified_at/modified_by, others derive columns or route rows) must not fire again
-- on load, as pg_restore --disable-triggers does for the custom-format dumps. Only user
-- triggers are turned off (the foreign keys stay enforced), which needs no superuser: the
-- loading role owns the tables it created from the schema dump. Each is put back as it was.
CREATE TEMP TABLE sample_triggers_off AS
SELECT t.tgrelid::regclass AS rel, t.tgname, t.tgenabled, tree.level
FROM pg_trigger t
JOIN (SELECT relid, level FROM pg_partition_tree('public.observations')
      UNION ALL SELECT 'public.efforts'::regclass, 0
      UNION ALL SELECT 'public.obs_efforts'::regclass, 0) tree ON tree.relid = t.tgrelid
WHERE NOT t.tgisinternal AND t.tgenabled <> 'D';
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM sample_triggers_off ORDER BY level, rel::text, tgname LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', r.rel, r.tgname);
    END LOOP;
END $$;

-- name: sample_triggers_on
-- Parents first: on a partitioned table the statement may recurse to the partitions, whose
-- own state is then set after it.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM sample_triggers_off ORDER BY level, rel::text, tgname LOOP
        EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', r.rel,
                       CASE r.tgenabled WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END,
                       r.tgname);
    END LOOP;
END $$;
DROP TABLE sample_triggers_off;

-- name: sample_sequences
-- The sequences the sample's tables own (serial, identity) or draw their defaults from
-- (observations' id: a sequence it does not own), with production's value: set on load as
-- pg_dump sets the sequences it dumps, so the first insert where the sample is restored gets
-- the id production would give next instead of colliding with a loaded row. NULL: never used.
WITH tables AS (
    SELECT relid FROM pg_partition_tree('public.observations')
    UNION ALL SELECT 'public.efforts'::regclass
    UNION ALL SELECT 'public.obs_efforts'::regclass
), sequences AS (
    SELECT d.objid AS seq
    FROM pg_depend d JOIN tables t ON t.relid = d.refobjid
    WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.deptype IN ('a', 'i')
    UNION
    SELECT d.refobjid
    FROM pg_attrdef ad
    JOIN tables t ON t.relid = ad.adrelid
    JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                    AND d.refclassid = 'pg_class'::regclass
)
SELECT n.nspname, c.relname, ps.last_value
FROM sequences s
JOIN pg_class c ON c.oid = s.seq AND c.relkind = 'S'
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = c.relname
ORDER BY 1, 2;

-- name: sample_setval
SELECT pg_catalog.setval({sequence}, {value}, true);

-- name: object_privileges
-- Owner and privileges of every schema, relation and routine the schema dump re-creates,
-- read in its snapshot: the dump itself is written without them (a role it names that the
-- staging server lacks would stop the whole load), so the staging build grants them from this
-- list where the roles exist. Objects of extensions are left out (their owner and grants come
-- with CREATE EXTENSION). A NULL ACL is the owner's defaults: no rows for a schema or a
-- relation (their owner's own rights are left out of the comparison), but for a routine the
-- defaults also let PUBLIC execute it, which staging must match (or revoke, as production
-- did). Grantee 0 is PUBLIC. A routine is named by its signature as pg_dump writes it.
WITH objects AS (
    SELECT 'SCHEMA' AS kind, n.nspname, NULL::text AS objname, n.nspowner AS owner,
           n.nspacl AS acl, 'pg_namespace'::regclass AS classid, n.oid
    FROM pg_namespace n
    UNION ALL
    SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname, c.relname::text,
           c.relowner, c.relacl, 'pg_class'::regclass, c.oid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    UNION ALL
    SELECT 'ROUTINE', n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
           p.proowner, coalesce(p.proacl, acldefault('f', p.proowner)), 'pg_proc'::regclass, p.oid
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
)
SELECT o.kind, o.nspname::text, o.objname, pg_get_userbyid(o.owner)::text,
       coalesce((SELECT jsonb_agg(jsonb_build_array(
                            CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                 ELSE pg_get_userbyid(a.grantee)::text END,
                            a.privilege_type, a.is_grantable) ORDER BY a.grantee, a.privilege_type)
                 FROM aclexplode(o.acl) a), '[]'::jsonb)
FROM objects o
WHERE o.nspname NOT IN ('pg_catalog', 'information_schema') AND o.nspname !~ '^pg_'
  AND o.nspname <> ALL(%(excluded)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = o.classid AND d.objid = o.oid AND d.deptype = 'e')
ORDER BY 1, 2, 3;

-- name: column_privileges
-- Grants on single columns (GRANT SELECT (a, b) ON t), which a relation's own ACL does not
-- show: every column with an ACL of its own, in the schemas the schema dump re-creates.
SELECT n.nspname::text, c.relname::text, a.attname::text,
       (SELECT jsonb_agg(jsonb_build_array(
                   CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END,
                   x.privilege_type, x.is_grantable) ORDER BY x.grantee, x.privilege_type)
        FROM aclexplode(a.attacl) x)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
  AND n.nspname <> ALL(%(excluded)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND cardinality(a.attacl) > 0
ORDER BY 1, 2, 3;

-- name: default_privileges
-- ALTER DEFAULT PRIVILEGES: what each role's future objects are granted, in a schema or
-- everywhere (schema NULL). In a schema the ACL is what is added to the defaults; everywhere
-- it replaces them (the staging build starts from acldefault there).
SELECT pg_get_userbyid(d.defaclrole)::text, n.nspname::text,
       CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'
                            WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES'
                            WHEN 'n' THEN 'SCHEMAS' END,
       coalesce((SELECT jsonb_agg(jsonb_build_array(
                            CASE WHEN x.grantee = 0 THEN 'PUBLIC'
                                 ELSE pg_get_userbyid(x.grantee)::text END,
                            x.privilege_type, x.is_grantable) ORDER BY x.grantee, x.privilege_type)
                 FROM aclexplode(d.defaclacl) x), '[]'::jsonb)
FROM pg_default_acl d
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
WHERE n.nspname IS NULL OR n.nspname <> ALL(%(excluded)s)
ORDER BY 1, 2 NULLS FIRST, 3;

-- name: default_privileges_builtin
-- What a role's future objects of a kind get when no ALTER DEFAULT PRIVILEGES applies (the
-- owner's rights; EXECUTE on functions and USAGE on types for PUBLIC too).
SELECT coalesce(jsonb_agg(jsonb_build_array(
                    CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END,
                    x.privilege_type, x.is_grantable)), '[]'::jsonb)
FROM aclexplode(acldefault(
         CASE %(kind)s WHEN 'TABLES' THEN 'r' WHEN 'SEQUENCES' THEN 's' WHEN 'FUNCTIONS' THEN 'f'
                       WHEN 'TYPES' THEN 'T' WHEN 'SCHEMAS' THEN 'n' END::"char",
         %(role)s::regrole)) x;

-- name: routine_signatures
-- The staging database's own routines, by the signature production's record names them,
-- with the text PostgreSQL itself quotes for a statement (regprocedure).
SELECT n.nspname::text, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       p.oid::regprocedure::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace;

-- name: grant_privilege
GRANT {privilege} ON {kind} {object} TO {grantee}{grant_option};

-- name: alter_owner
ALTER {kind} {object} OWNER TO {owner};

-- name: revoke_privileges
REVOKE ALL ON {kind} {object} FROM {grantee};

-- name: grant_on_columns
GRANT {privilege} ({column}) ON TABLE {table} TO {grantee}{grant_option};

-- name: grant_default
ALTER DEFAULT PRIVILEGES FOR ROLE {owner}{in_schema} GRANT {privilege} ON {kind} TO {grantee}{grant_option};

-- name: revoke_default
ALTER DEFAULT PRIVILEGES FOR ROLE {owner}{in_schema} REVOKE {privilege} ON {kind} FROM {grantee};

-- name: referenced_tables
-- Tables the given ones' foreign keys reference (outside them): the dumps must carry their
-- rows, or a restore that enforces the keys refuses the rows that name them (production's
-- observations.id_taxa references the legacy public.taxa).
SELECT DISTINCT format('%%I.%%I', rn.nspname, r.relname)
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_class r ON r.oid = c.confrelid
JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE c.contype = 'f'
  AND format('%%I.%%I', tn.nspname, t.relname) = ANY (%(tables)s)
  AND NOT format('%%I.%%I', rn.nspname, r.relname) = ANY (%(tables)s)
ORDER BY 1;
