"""Jobs, schedules and sensors of the web archive."""

import dagster as dg

from maint_assets.core.automation import running_schedule, sensor_interval
from maint_assets.core.file_sensors import new_files_sensor
from maint_assets.webarchive.keys import (
    ACCESS_LISTS,
    CDX_INDEX,
    SHINE_BACKUP,
    TRACKDB,
    W3ACT_BACKUP,
    WARC_FILES,
)

TIMEZONE = "Europe/London"

webarchive_hourly = dg.define_asset_job(
    "webarchive_hourly", selection=dg.AssetSelection.assets(TRACKDB, CDX_INDEX),
    description="Refresh TrackDB from a listing of the store, then index what is new.",
)
webarchive_retry_failed = dg.define_asset_job(
    "webarchive_retry_failed", selection=dg.AssetSelection.assets(CDX_INDEX),
    config={"ops": {"webarchive__index__cdx_index": {"config": {"retry_quarantined": True}}}},
    description="Index the quarantined WARC and ARC files again (after they were repaired or "
    "replaced, or the CDX server was fixed); their lines, if any, are removed first.",
)
webarchive_daily = dg.define_asset_job(
    "webarchive_daily",
    selection=dg.AssetSelection.assets(ACCESS_LISTS, W3ACT_BACKUP, SHINE_BACKUP),
    description="Access lists from W3ACT, and the backups of W3ACT's and Shine's databases.",
)

# Noticing new WARCs: files not in the previous listing (or changed since) record a
# materialization of the store, which TrackDB and the CDX index then follow.
webarchive_new_files = new_files_sensor(
    name="webarchive_new_files",
    asset_key=WARC_FILES,
    store="warc_store",
    minimum_interval_seconds=sensor_interval("WEBARCHIVE_SENSOR_INTERVAL_S", 60),
    description="Lists the WARC store; new or changed files record a materialization of the "
    "store.",
)

SCHEDULES = [
    running_schedule(
        webarchive_hourly, "15 * * * *", name="webarchive_hourly_15", timezone=TIMEZONE,
        description="TrackDB then the CDX index, every hour at :15 (London).",
    ),
    running_schedule(
        webarchive_daily, "30 2 * * *", name="webarchive_daily_0230", timezone=TIMEZONE,
        description="Access lists and the W3ACT and Shine backups, every day at 02:30 (London).",
    ),
]
