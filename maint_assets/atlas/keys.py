"""Asset keys, groups, pools, owners, SQL files and artifact folders of the atlas domain.

Tables are ``atlas/<schema>/<table>`` (the production names); the dumps and the staging
database are ``atlas/<kind>/<name>``."""

import dagster as dg

DOMAIN = "atlas"
SQL_DIR = "atlas"
OWNERS = ["team:atlas"]

# Resource key of the atlas database (matview assets name it).
DB = "atlas_db"
# One refresh at a time against the atlas database's derived tables.
POOL_ATLAS_DB = "atlas_db"
# One dump at a time against production (each holds a snapshot open while it reads).
POOL_ATLAS_DUMPS = "atlas_dumps"
# The step writing the dumps staging loads, from one snapshot (assets/dumps.py).
SNAPSHOT_DUMPS_OP = "atlas_snapshot_dumps"
# One rebuild at a time of the staging database.
POOL_ATLAS_STAGING = "atlas_staging"

GROUP_TAXONOMY = "atlas_taxonomy"
GROUP_SPATIAL = "atlas_spatial"
GROUP_BACKUPS = "atlas_backups"


def table_key(schema: str, table: str) -> dg.AssetKey:
    return dg.AssetKey([DOMAIN, schema, table])


# Source tables (external: loaded by ingestion or seeded by hand).
OBSERVATIONS = table_key("public", "observations")
TAXA_OBS = table_key("public", "taxa_obs")
REGIONS = table_key("public", "regions")
DATASETS = table_key("public", "datasets")
TAXA_GROUPS = table_key("public", "taxa_groups")
TAXA_GROUP_MEMBERS = table_key("public", "taxa_group_members")
REGIONS_ZOOM_LOOKUP = table_key("atlas_api", "regions_zoom_lookup")
TAXA_REF_SOURCES = table_key("api", "taxa_ref_sources")
TAXA_VERNACULAR_SOURCES = table_key("api", "taxa_vernacular_sources")

# The taxonomy chain.
TAXA_REF = table_key("public", "taxa_ref")
TAXA_OBS_REF_LOOKUP = table_key("public", "taxa_obs_ref_lookup")
TAXA_VERNACULAR = table_key("public", "taxa_vernacular")
TAXA_OBS_VERNACULAR_LOOKUP = table_key("public", "taxa_obs_vernacular_lookup")
TAXA_OBS_GROUP_LOOKUP = table_key("public", "taxa_obs_group_lookup")
API_TAXA = table_key("api", "taxa")

# The spatial chain.
WEB_REGIONS = table_key("atlas_api", "web_regions")
OBS_REGION_COUNTS = table_key("atlas_api", "obs_region_counts")
OBS_REGIONS_TAXA_DATASETS_COUNTS = table_key("atlas_api", "obs_regions_taxa_datasets_counts")

# The dumps and the staging database built from them.
ROLES_DUMP = dg.AssetKey([DOMAIN, "dump", "roles_dump"])
SCHEMA_DUMP = dg.AssetKey([DOMAIN, "dump", "schema_dump"])
REFERENCE_DATA_DUMP = dg.AssetKey([DOMAIN, "dump", "reference_data_dump"])
REGIONS_DUMP = dg.AssetKey([DOMAIN, "dump", "regions_dump"])
OBSERVATIONS_SAMPLE_DUMP = dg.AssetKey([DOMAIN, "dump", "observations_sample_dump"])
ATLAS_STAGING = dg.AssetKey([DOMAIN, "database", "atlas_staging"])

# Artifact folders of the dumps (paths in the artifact store: kept as they were before the
# keys were renamed, so that existing dumps stay under the same retention).
DUMP_FOLDERS = {
    ROLES_DUMP: "atlas/backups/roles",
    SCHEMA_DUMP: "atlas/backups/schema",
    REFERENCE_DATA_DUMP: "atlas/backups/reference_data",
    REGIONS_DUMP: "atlas/backups/regions",
    OBSERVATIONS_SAMPLE_DUMP: "atlas/backups/observations_sample",
}
# Scratch databases of the restore checks: this prefix and the dump's folder name.
SCRATCH_PREFIX = "maint_assets_check_"
# The template database they and the staging database are made from, which an administrator
# prepares on the staging server (`maint-assets roles apply atlas-staging`) with the
# extensions of the atlas that are not trusted: a role without superuser may not create them.
STAGING_TEMPLATE = "maint_assets_atlas_template"
TEMPLATE_EXTENSIONS = ("postgis",)

# SQL files (sql/atlas/<name>.sql): one per asset, or per module for shared statements.
SQL_TAXA_REF = "atlas/taxa_ref"
SQL_TAXA_VERNACULAR = "atlas/taxa_vernacular"
SQL_OBS_REGION_COUNTS = "atlas/obs_region_counts"
SQL_OBS_REGIONS_TAXA_DATASETS_COUNTS = "atlas/obs_regions_taxa_datasets_counts"
SQL_COUNTS = "atlas/counts"
SQL_CHANGE_LOG = "atlas/change_log"
SQL_TABLE_DEFINITIONS = "atlas/table_definitions"
SQL_DUMPS = "atlas/dumps"
SQL_CHECKS = "atlas/checks"
SQL_WEB_REGIONS = "atlas/web_regions"

# The blocking check that restores each dump (the roles dump's has it parsed): retention counts
# only the dumps it did not fail (core/artifact_steps.put_artifact).
RESTORE_CHECK = "restores"
ROLES_RESTORE_CHECK = "restores_without_passwords"
