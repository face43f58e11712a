"""The weekly incremental refresh that replaces the runbook's three Friday 21:00 cron lines,
the dumps and staging database after it, the hourly watch on the change log, and the weekly full
comparison of the count tables with production's own query."""

import dagster as dg

from maint_assets.atlas.backups.assets import GROUP as BACKUPS
from maint_assets.atlas.backups.assets import staging_database
from maint_assets.atlas.checks import change_log_consumed
from maint_assets.atlas.keys import SPATIAL, TAXONOMY
from maint_assets.atlas.spatial import full_recount
from maint_assets.core.automation import run_job_assets

# Incremental, like every refresh of these assets: new or changed taxa_obs names are resolved,
# the count tables apply the change log; a run with `full: true` in an asset's config rebuilds.
atlas_weekly_incremental_refresh = dg.define_asset_job(
    "atlas_weekly_incremental_refresh",
    selection=dg.AssetSelection.groups(TAXONOMY, SPATIAL),
    description="Every derived atlas table and view, in dependency order, in one run, "
    "incrementally: new or changed names are resolved, the counts apply the change log.",
)

atlas_weekly_schedule = dg.ScheduleDefinition(
    name="atlas_weekly_incremental_refresh_friday_2100",
    job=atlas_weekly_incremental_refresh,
    execution_fn=run_job_assets(atlas_weekly_incremental_refresh),
    cron_schedule="0 21 * * 5",
    execution_timezone="America/Toronto",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# The job confirms the staging rebuild (a destructive asset) for the default database name.
atlas_weekly_backups = dg.define_asset_job(
    "atlas_weekly_backups",
    selection=dg.AssetSelection.groups(BACKUPS),
    config={"ops": {staging_database.op.name: {"config": {"confirm_database": "atlas_staging"}}}},
    description="The atlas dumps, their restore checks, then the staging database (its "
    "rebuild confirmed for atlas_staging).",
)

# Four hours after the Friday refresh starts: the dumps read the refreshed tables (the
# runbook ran everything at 21:00 with nothing ordering the jobs).
atlas_backups_schedule = dg.ScheduleDefinition(
    name="atlas_weekly_backups_saturday_0100",
    job=atlas_weekly_backups,
    cron_schedule="0 1 * * 6",
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


counts_full_comparison = dg.define_asset_job(
    "atlas_counts_full_comparison",
    selection=dg.AssetSelection.checks(full_recount),
    description="Both count tables against production's own ST_Within query over every "
    "observation and region: what the touched-rows check of each refresh does not see.",
)

# Sunday night, away from the Friday refresh and the Saturday dumps: it reads every
# observation against every region (production's cost, on purpose: nothing shared with the
# cells and the detail the refreshes use).
counts_full_comparison_schedule = dg.ScheduleDefinition(
    name="atlas_counts_full_comparison_sunday_0300",
    job=counts_full_comparison,
    cron_schedule="0 3 * * 0",
    execution_timezone="America/Toronto",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
