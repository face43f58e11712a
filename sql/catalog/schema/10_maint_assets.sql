-- Where the catalogue table is built before it is swapped in. Idempotent.
CREATE SCHEMA IF NOT EXISTS maint_assets_build;
