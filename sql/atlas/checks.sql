-- Asset checks of the atlas graph (the count tables check the rows each refresh touched inside
-- its own transaction, and the whole tables weekly: see their SQL files).

-- name: api_taxa_coverage
-- Every taxa_obs with a lookup row api.taxa takes a name from (production's definition: a
-- match type other than 'complex') has exactly one row, and no other taxa_obs has one.
WITH resolved AS (
    SELECT DISTINCT id_taxa_obs FROM public.taxa_obs_ref_lookup
    WHERE match_type IS NOT NULL AND match_type <> 'complex'
), rows AS (
    SELECT id_taxa_obs, count(*) AS n FROM api.taxa GROUP BY id_taxa_obs
)
SELECT (SELECT count(*) FROM resolved),
       (SELECT count(*) FROM resolved LEFT JOIN rows USING (id_taxa_obs) WHERE rows.n IS NULL),
       (SELECT count(*) FROM rows WHERE n > 1),
       (SELECT count(*) FROM rows WHERE id_taxa_obs NOT IN (SELECT id_taxa_obs FROM resolved));

-- name: parse_functions_bodies
SET LOCAL check_function_bodies = on;

-- name: parse_statement
-- The server parses a statement of the roles dump without running it: a SQL function's body
-- is parsed when the function is created (check_function_bodies), and a utility statement
-- (CREATE ROLE, ALTER ROLE, GRANT) goes no further than the parser. The function, in
-- pg_temp, goes with the savepoint it is created in.
CREATE FUNCTION pg_temp.maint_assets_parsed() RETURNS void LANGUAGE sql AS {body};

-- name: matview_populated
SELECT ispopulated FROM pg_matviews WHERE schemaname = %(schema)s AND matviewname = %(name)s;
