-- What both count tables share when they apply changes (their own SQL files hold the
-- statements that depend on their columns).

-- name: settings
-- For the refresh transaction only. JIT compiles each statement for as long as a whole
-- incremental refresh takes (the planner prices the small temporary tables as if they were
-- large) and does not speed up a rebuild. The incremental statements read a few rows of
-- tables of millions through their indexes: with the default random_page_cost the planner
-- hashes the whole table instead. The temporary tables of a large batch of changes do not
-- fit the default 8 MB of temp_buffers. (A fresh session: temp_buffers cannot change once
-- a temporary table was used.)
SELECT set_config('jit', 'off', true), set_config('random_page_cost', '1.1', true),
       set_config('temp_buffers', '64MB', true);

-- name: touched_summary
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
       count(*) FILTER (WHERE count_obs < 0)
FROM touched_counts;

-- name: record_row_count
INSERT INTO maint_assets.maintained_row_counts AS m (relation, row_count)
VALUES (%(relation)s, %(row_count)s)
ON CONFLICT (relation) DO UPDATE SET row_count = EXCLUDED.row_count, counted_at = now();

-- name: adjust_row_count
UPDATE maint_assets.maintained_row_counts
SET row_count = row_count + %(delta)s, counted_at = now()
WHERE relation = %(relation)s
RETURNING row_count;
