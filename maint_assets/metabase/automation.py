"""Jobs and schedules of the Metabase domain."""

import dagster as dg

from maint_assets.core.automation import running_schedule
from maint_assets.metabase.keys import METABASE_BACKUP
from maint_assets.metabase.restore import restore_app_db

metabase_daily_backup = dg.define_asset_job(
    "metabase_daily_backup",
    selection=dg.AssetSelection.assets(METABASE_BACKUP),
    description="Back up the Metabase application database and prove the backup restores.",
)


@dg.job(description="Restore a Metabase application-database backup (stop Metabase first).")
def restore_metabase() -> None:
    restore_app_db()


SCHEDULES = [
    running_schedule(
        metabase_daily_backup, "0 3 * * *", name="metabase_daily_backup_0300",
        timezone="America/Toronto",
        description="The Metabase backup every day at 03:00 (Toronto), after the catalogue.",
    )
]
