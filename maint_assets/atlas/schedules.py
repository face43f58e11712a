"""The weekly full refresh that replaces the runbook's three Friday 21:00 cron lines, and
the hourly watch on the change log."""

import dagster as dg

from maint_assets.atlas.checks import change_log_consumed
from maint_assets.atlas.keys import SPATIAL, TAXONOMY

atlas_weekly_refresh = dg.define_asset_job(
    "atlas_weekly_refresh",
    selection=dg.AssetSelection.groups(TAXONOMY, SPATIAL),
    description="Every derived atlas table and view, in dependency order, in one run.",
)

atlas_weekly_schedule = dg.ScheduleDefinition(
    name="atlas_weekly_friday_2100",
    job=atlas_weekly_refresh,
    cron_schedule="0 21 * * 5",
    execution_timezone="America/Toronto",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


change_log_watch = dg.define_asset_job(
    "atlas_change_log_watch",
    selection=dg.AssetSelection.checks(change_log_consumed),
    description="Checks that the change log is being consumed.",
)

change_log_watch_schedule = dg.ScheduleDefinition(
    name="atlas_change_log_watch_hourly",
    job=change_log_watch,
    cron_schedule="17 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
