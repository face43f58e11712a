"""Everything the Metabase domain contributes to the code location."""

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.metabase import backup

metabase_daily_backup = dg.define_asset_job(
    "metabase_daily_backup",
    selection=dg.AssetSelection.assets(backup.APP_DB_BACKUP),
    description="Back up the Metabase application database and prove the backup restores.",
)

defs = dg.Definitions(
    assets=[backup.app_db_backup],
    asset_checks=[backup.app_db_backup_restores],
    jobs=[metabase_daily_backup, backup.restore_metabase],
    schedules=[
        dg.ScheduleDefinition(
            name="metabase_daily_backup_0300",
            job=metabase_daily_backup,
            cron_schedule="0 3 * * *",
            execution_timezone="America/Toronto",
            default_status=dg.DefaultScheduleStatus.RUNNING,
        )
    ],
    resources={"metabase_db": PostgresResource(url=dg.EnvVar("METABASE_DATABASE_URL"))},
)
