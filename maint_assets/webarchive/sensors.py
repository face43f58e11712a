"""Noticing new WARCs: the store is listed on each tick, and files not in the previous listing
(or changed since) are reported as a new materialization of the store, which TrackDB and the
CDX index then follow."""

from maint_assets.core.automation import sensor_interval
from maint_assets.core.file_sensors import new_files_sensor
from maint_assets.webarchive.keys import WARC_STORE

webarchive_new_files = new_files_sensor(
    name="webarchive_new_files",
    asset_key=WARC_STORE,
    store="warc_store",
    minimum_interval_seconds=sensor_interval("WEBARCHIVE_SENSOR_INTERVAL_S", 60),
    description="Lists the WARC store; new or changed files record a materialization of the "
    "store.",
)
