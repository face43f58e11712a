"""Everything the ingest domain contributes to the code location."""

import dagster as dg

from maint_assets.core.automation import running_schedule
from maint_assets.ingest import assets
from maint_assets.ingest.resources import resources

ingest_weekly = dg.define_asset_job(
    "ingest_weekly",
    selection=dg.AssetSelection.assets(assets.STAGING, assets.PRODUCTION),
    description="Load the next version beside production, check it, switch it in.",
)

defs = dg.Definitions(
    assets=[assets.staging, assets.production],
    jobs=[ingest_weekly, assets.rollback_production_job],
    schedules=[
        running_schedule(
            ingest_weekly, "0 4 * * 1", name="ingest_weekly_monday_0400",
            timezone="America/Los_Angeles",
        )
    ],
    resources=resources(),
)
