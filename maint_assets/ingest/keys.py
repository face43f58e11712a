"""Asset keys, groups, pools, owners, SQL files and markers of the ingest domain."""

import dagster as dg

DOMAIN = "ingest"
SQL_DIR = "ingest"
SQL_STAGING = "ingest/ingest_staging"
SQL_PRODUCTION = "ingest/ingest_production"
SQL_SCHEMAS = "ingest/schemas"
GROUP_INGEST = "ingest"
# One ingest or switch at a time per database (with the advisory lock per production schema).
POOL_INGEST_DB = "ingest_db"
OWNERS = ["team:ingest"]

# Schema-level assets: the production schema's name comes from the table list, so the key names
# the role of the schema, not the schema.
INGEST_STAGING = dg.AssetKey([DOMAIN, "schema", "ingest_staging"])
INGEST_PRODUCTION = dg.AssetKey([DOMAIN, "schema", "ingest_production"])
CHECKS = ["required_tables_loaded", "no_table_shrinks"]

# The comment on every schema the ingest creates.
MARKER = "maint_assets: ingest"
