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
        # Where the runbook's CronJob ran it (SSPCloud, France), the night after the
        # catalogue's midnight run, out of the dashboards' users' working day.
        metabase_daily_backup, "0 3 * * *", name="metabase_daily_backup_0300",
        timezone="Europe/Paris",
        description="The Metabase backup every day at 03:00 (Paris), after the catalogue.",
    )
]
