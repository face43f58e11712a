"""Everything the atlas domain contributes to the code location."""

import dagster as dg

from maint_assets.atlas import checks, schedules, sensors, sources, spatial
from maint_assets.atlas.backups import assets as backups
from maint_assets.atlas.taxonomy import assets as taxonomy
from maint_assets.atlas.taxonomy.choice import taxonomy_resolver
from maint_assets.core.postgres import PostgresResource

defs = dg.Definitions(
    assets=[*sources.ALL, *taxonomy.ASSETS, *spatial.ASSETS, *backups.ASSETS],
    asset_checks=[*checks.CHECKS, *spatial.CHECKS, *backups.CHECKS],
    jobs=[
        schedules.atlas_weekly_incremental_refresh,
        schedules.atlas_weekly_backups,
        schedules.change_log_watch,
        schedules.counts_full_comparison,
    ],
    schedules=[
        schedules.atlas_weekly_schedule,
        schedules.atlas_backups_schedule,
        schedules.change_log_watch_schedule,
        schedules.counts_full_comparison_schedule,
    ],
    sensors=[sensors.atlas_source_changes],
    resources={
        "atlas_db": PostgresResource(url=dg.EnvVar("ATLAS_DATABASE_URL")),
        # Any database of the server where the staging and scratch databases are created.
        "atlas_staging_server": PostgresResource(url=dg.EnvVar("ATLAS_STAGING_SERVER_URL")),
        "taxonomy": taxonomy_resolver(),
    },
)
