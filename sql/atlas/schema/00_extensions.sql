-- Extensions and schemas of the atlas database (production names).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS api;
CREATE SCHEMA IF NOT EXISTS atlas_api;
CREATE SCHEMA IF NOT EXISTS observations_partitions;
-- maint_assets keeps its own bookkeeping here and builds replacement tables in
-- maint_assets_build, so production schemas only ever see finished tables.
CREATE SCHEMA IF NOT EXISTS maint_assets;
CREATE SCHEMA IF NOT EXISTS maint_assets_build;
