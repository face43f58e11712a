"""Everything the atlas domain contributes to the code location."""

import dagster as dg

from maint_assets.atlas import automation, checks
from maint_assets.atlas.assets import counts, dumps, sources, staging, taxonomy
from maint_assets.atlas.resources import resources
from maint_assets.core.ui import with_code_references

defs = dg.Definitions(
    assets=[
        *sources.ALL,
        *with_code_references([*taxonomy.ASSETS, *counts.ASSETS, *dumps.ASSETS, *staging.ASSETS]),
    ],
    asset_checks=checks.CHECKS,
    jobs=[
        automation.atlas_weekly_incremental_refresh,
        automation.atlas_weekly_backups,
        automation.change_log_watch,
        automation.counts_full_comparison,
    ],
    schedules=[
        automation.atlas_weekly_schedule,
        automation.atlas_backups_schedule,
        automation.change_log_watch_schedule,
    ],
    sensors=[automation.atlas_source_changes],
    resources=resources(),
)
