"""Asset keys, groups, pools, owners, SQL files and artifact folders of the web archive."""

import dagster as dg

DOMAIN = "webarchive"
SQL_DIR = "webarchive"
SQL_TRACKDB = "webarchive/trackdb_files"
SQL_CDX_INDEX = "webarchive/cdx_index"
SQL_ACCESS_LISTS = "webarchive/access_lists"
SQL_W3ACT_BACKUP = "webarchive/w3act_backup"
GROUP_WEBARCHIVE = "webarchive"
# One run at a time per store (the runbooks' flock) and per W3ACT database.
POOL_WARC_STORE = "webarchive_store"
POOL_W3ACT_DB = "w3act_db"
POOL_SHINE_DB = "shine_db"
OWNERS = ["team:webarchive"]
SCHEMA = "webarchive"

WARC_FILES = dg.AssetKey([DOMAIN, "files", "warc_files"])
TRACKDB = dg.AssetKey([DOMAIN, SCHEMA, "trackdb_files"])
CDX_INDEX = dg.AssetKey([DOMAIN, "index", "cdx_index"])
ACCESS_LISTS = dg.AssetKey([DOMAIN, "list", "access_lists"])
W3ACT_BACKUP = dg.AssetKey([DOMAIN, "backup", "w3act_backup"])
# Its blocking checks, one per artifact: retention counts only what they did not fail.
W3ACT_DUMP_CHECK = "dump_restores"
W3ACT_CSV_CHECK = "csv_zip_complete"
SHINE_BACKUP = dg.AssetKey([DOMAIN, "backup", "shine_backup"])
SHINE_DUMP_CHECK = "dump_restores"

# Artifact folders (paths in the artifact store, kept as they were).
ACCESS_LISTS_FOLDER = "webarchive/access"
W3ACT_DUMP_FOLDER = "webarchive/w3act/dump"
W3ACT_CSV_FOLDER = "webarchive/w3act/csv"
W3ACT_SCRATCH_PREFIX = "maint_assets_check_w3act"
SHINE_DUMP_FOLDER = "webarchive/shine/dump"
SHINE_SCRATCH_PREFIX = "maint_assets_check_shine"
