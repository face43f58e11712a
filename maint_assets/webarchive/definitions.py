"""Everything the web archive domain contributes to the code location."""

import os

import dagster as dg

from maint_assets.core.automation import run_job_assets
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.webarchive import access_lists, cdx, trackdb, w3act_backup
from maint_assets.webarchive.keys import (
    ACCESS_CONTROL_LISTS,
    CDX_INDEX,
    GROUP,
    TRACKDB,
    W3ACT_BACKUP,
    WARC_STORE,
)
from maint_assets.webarchive.resources import CdxSettings
from maint_assets.webarchive.sensors import webarchive_new_files

TIMEZONE = "Europe/London"

warc_store = dg.AssetSpec(
    WARC_STORE, group_name=GROUP, kinds={"s3"},
    description="The WARC files of the store (a directory or an S3 prefix), maintained by the "
    "crawlers; the sensor webarchive_new_files records new ones.",
)

webarchive_hourly = dg.define_asset_job(
    "webarchive_hourly", selection=dg.AssetSelection.assets(TRACKDB, CDX_INDEX),
    description="Refresh TrackDB from a listing of the store, then index what is new.",
)
webarchive_retry_failed = dg.define_asset_job(
    "webarchive_retry_failed", selection=dg.AssetSelection.assets(CDX_INDEX),
    config={"ops": {"webarchive__cdx__index": {"config": {"retry_quarantined": True}}}},
    description="Index the quarantined WARC and ARC files again (after they were repaired or "
    "replaced, or the CDX server was fixed); their lines, if any, are removed first.",
)
webarchive_daily = dg.define_asset_job(
    "webarchive_daily", selection=dg.AssetSelection.assets(ACCESS_CONTROL_LISTS, W3ACT_BACKUP),
    description="Access lists from W3ACT and W3ACT's backup.",
)


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


defs = dg.Definitions(
    assets=[
        warc_store, trackdb.trackdb_files, cdx.cdx_index, access_lists.access_control_lists,
        w3act_backup.w3act_backup,
    ],
    asset_checks=[
        w3act_backup.w3act_dump_restores,
        w3act_backup.w3act_csv_zip_complete,
    ],
    jobs=[webarchive_hourly, webarchive_retry_failed, webarchive_daily],
    sensors=[webarchive_new_files],
    schedules=[
        dg.ScheduleDefinition(
            name="webarchive_hourly_15", job=webarchive_hourly, cron_schedule="15 * * * *",
            execution_fn=run_job_assets(webarchive_hourly),
            execution_timezone=TIMEZONE, default_status=dg.DefaultScheduleStatus.RUNNING,
        ),
        dg.ScheduleDefinition(
            name="webarchive_daily_0230", job=webarchive_daily, cron_schedule="30 2 * * *",
            execution_timezone=TIMEZONE, default_status=dg.DefaultScheduleStatus.RUNNING,
        ),
    ],
    resources={
        "webarchive_db": PostgresResource(url=dg.EnvVar("WEBARCHIVE_DATABASE_URL")),
        "w3act_db": PostgresResource(url=dg.EnvVar("W3ACT_DATABASE_URL")),
        "warc_store": FileStore(
            url=dg.EnvVar("WEBARCHIVE_STORE_URL"),
            endpoint_url=_env("WEBARCHIVE_STORE_ENDPOINT_URL"),
            region_name=_env("AWS_REGION", "us-east-1"),
        ),
        "cdx": CdxSettings(
            output="outbackcdx" if _env("WEBARCHIVE_OUTBACKCDX_URL") else "cdxj",
            **({"cdxj_dir": _env("WEBARCHIVE_CDXJ_DIR")} if _env("WEBARCHIVE_CDXJ_DIR") else {}),
            outbackcdx_url=_env("WEBARCHIVE_OUTBACKCDX_URL"),
            outbackcdx_collection=_env("WEBARCHIVE_OUTBACKCDX_COLLECTION", "data-heritrix"),
            **(
                {"outbackcdx_ledger_dir": _env("WEBARCHIVE_OUTBACKCDX_LEDGER_DIR")}
                if _env("WEBARCHIVE_OUTBACKCDX_LEDGER_DIR") else {}
            ),
        ),
    },
)
