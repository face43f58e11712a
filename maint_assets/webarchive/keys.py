"""Asset keys, groups and pools of the web archive graph (domain `webarchive`)."""

import dagster as dg

DOMAIN = "webarchive"
DB = "webarchive_db"
W3ACT_DB = "w3act_db"
# One run at a time per store (the runbooks' flock) and per W3ACT database.
STORE_POOL = "webarchive_store"
W3ACT_POOL = "w3act_db"
GROUP = "webarchive"
SCHEMA = "webarchive"

WARC_STORE = dg.AssetKey(["webarchive", "store", "warc_files"])
TRACKDB = dg.AssetKey(["webarchive", SCHEMA, "trackdb_files"])
CDX_INDEX = dg.AssetKey(["webarchive", "cdx", "index"])
ACCESS_CONTROL_LISTS = dg.AssetKey(["webarchive", "access", "control_lists"])
W3ACT_BACKUP = dg.AssetKey(["webarchive", "w3act", "backup"])
