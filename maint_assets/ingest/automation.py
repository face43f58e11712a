"""Jobs and schedules of the ingest domain."""

import dagster as dg

from maint_assets.core.automation import running_schedule
from maint_assets.ingest.keys import INGEST_PRODUCTION, INGEST_STAGING
from maint_assets.ingest.switching import rollback_production

ingest_weekly = dg.define_asset_job(
    "ingest_weekly",
    selection=dg.AssetSelection.assets(INGEST_STAGING, INGEST_PRODUCTION),
    description="Load the next version beside production, check it, switch it in.",
)


@dg.job(description="Switch production back to its previous version (confirmation required).")
def rollback_production_job() -> None:
    rollback_production()


SCHEDULES = [
    running_schedule(
        ingest_weekly, "0 4 * * 1", name="ingest_weekly_monday_0400",
        timezone="America/Los_Angeles",
        description="The weekly ingest and switch, Mondays at 04:00 (Los Angeles).",
    )
]
