"""Everything the web archive domain contributes to the code location."""

import dagster as dg

from maint_assets.core.ui import with_code_references
from maint_assets.webarchive import automation, checks, ukwa_monitor
from maint_assets.webarchive.assets import (
    access_lists,
    cdx_index,
    shine_backup,
    trackdb,
    w3act_backup,
)
from maint_assets.webarchive.resources import resources

defs = dg.Definitions(
    assets=with_code_references(
        [
            trackdb.warc_files, trackdb.trackdb_files, cdx_index.cdx_index,
            access_lists.access_lists, w3act_backup.w3act_backup, shine_backup.shine_backup,
        ]
    ),
    asset_checks=[
        checks.w3act_dump_restores, checks.w3act_csv_zip_complete, checks.shine_dump_restores,
    ],
    jobs=[
        automation.webarchive_hourly, automation.webarchive_retry_failed,
        automation.webarchive_daily,
    ],
    sensors=[automation.webarchive_new_files, ukwa_monitor.ukwa_monitor_backup_metrics],
    schedules=automation.SCHEDULES,
    resources=resources(),
)
