-- atlas_api.web_regions, production's materialized view of region outlines per zoom level
-- (sql/demo/atlas_replica/schema/40_matviews.sql), refreshed by maint_assets/core/refresh.py.

-- name: repeated_levels
-- Levels the zoom lookup (no key in production) holds more than once: the view would list
-- each of their regions once per row, which its unique index on fid refuses, so the refresh
-- (production's own too) fails on the first such region and the outlines go stale.
SELECT type, scale, count(*)::integer, array_agg(zoom ORDER BY zoom)
FROM atlas_api.regions_zoom_lookup
WHERE type IS NOT NULL AND scale IS NOT NULL  -- such a row joins no region
GROUP BY type, scale
HAVING count(*) > 1
ORDER BY type, scale;
