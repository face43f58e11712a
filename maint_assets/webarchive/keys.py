"""Asset keys, groups and pools of the web archive graph (domain `webarchive`)."""

from datetime import timedelta

import dagster as dg

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

# Hourly assets are stale after a few missed hours; daily ones after a missed day.
HOURLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=6), warn_window=timedelta(hours=2)
)
DAILY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=2), warn_window=timedelta(days=1, hours=2)
)
