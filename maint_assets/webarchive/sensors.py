"""Noticing new WARCs: the store is listed on each tick, and files newer than the cursor (the
newest modification time seen, with the files that share it) are reported as a new
materialization of the store, which TrackDB and the CDX index then follow."""

import json
import os

import dagster as dg

from maint_assets.webarchive.keys import WARC_STORE
from maint_assets.webarchive.resources import WarcStore


@dg.sensor(
    name="webarchive_new_files",
    minimum_interval_seconds=int(os.environ.get("WEBARCHIVE_SENSOR_INTERVAL_S", "60")),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Lists the WARC store; new files record a materialization of the store.",
)
def webarchive_new_files(
    context: dg.SensorEvaluationContext, warc_store: WarcStore
) -> dg.SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {"mtime": "", "paths": []}
    known = set(seen["paths"])
    new = [
        f for f in warc_store.list()
        if (stamp := f.mtime.isoformat(timespec="microseconds")) > seen["mtime"]
        or (stamp == seen["mtime"] and f.path not in known)
    ]
    if not new:
        return dg.SensorResult(skip_reason=f"no new file in {warc_store.url}")
    newest = max(f.mtime.isoformat(timespec="microseconds") for f in new)
    at_newest = [f.path for f in new if f.mtime.isoformat(timespec="microseconds") == newest]
    cursor = {
        "mtime": newest,
        "paths": sorted(at_newest + (seen["paths"] if newest == seen["mtime"] else [])),
    }
    return dg.SensorResult(
        cursor=json.dumps(cursor),
        asset_events=[
            dg.AssetMaterialization(
                WARC_STORE,
                metadata={"store": warc_store.url, "new_files": len(new),
                          "newest_modified": newest},
            )
        ],
    )
