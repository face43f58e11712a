"""Noticing new WARCs: the store is listed on each tick, and files newer than the cursor (the
newest modification time seen, with the files that share it) are reported as a new
materialization of the store, which TrackDB and the CDX index then follow."""

import os

import dagster as dg

from maint_assets.core.stores import FileStore, new_files
from maint_assets.webarchive.keys import WARC_STORE


@dg.sensor(
    name="webarchive_new_files",
    minimum_interval_seconds=int(os.environ.get("WEBARCHIVE_SENSOR_INTERVAL_S", "60")),
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=[WARC_STORE],  # shown as the store's automation; it requests no run
    description="Lists the WARC store; new files record a materialization of the store.",
)
def webarchive_new_files(
    context: dg.SensorEvaluationContext, warc_store: FileStore
) -> dg.SensorResult:
    new, cursor = new_files(warc_store.list(), context.cursor)
    if not new:
        return dg.SensorResult(skip_reason=f"no new file in {warc_store.url}")
    newest = max(f.mtime for f in new).isoformat()
    done = (
        f"recorded {WARC_STORE.to_user_string()}: {len(new)} new file(s) in {warc_store.url}, "
        f"newest modified {newest}"
    )
    context.log.info(done)
    return dg.SensorResult(
        cursor=cursor,
        skip_reason=done,  # a tick without run requests is SKIPPED: say what it recorded
        asset_events=[
            dg.AssetMaterialization(
                WARC_STORE,
                metadata={
                    "store": warc_store.url,
                    "new_files": len(new),
                    "newest_modified": newest,
                },
            )
        ],
    )
