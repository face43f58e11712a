"""Everything the Metabase domain contributes to the code location."""

import dagster as dg

from maint_assets.core.automation import running_schedule
from maint_assets.metabase import backup
from maint_assets.metabase.resources import resources

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
        running_schedule(
            metabase_daily_backup, "0 3 * * *", name="metabase_daily_backup_0300",
            timezone="America/Toronto",
        )
    ],
    resources=resources(),
)
