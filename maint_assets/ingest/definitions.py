"""Everything the ingest domain contributes to the code location."""

import os

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.ingest import assets
from maint_assets.ingest.assets import IngestSettings

ingest_weekly = dg.define_asset_job(
    "ingest_weekly",
    selection=dg.AssetSelection.assets(assets.STAGING, assets.PRODUCTION),
    description="Load the next version beside production, check it, switch it in.",
)



@dg.schedule(
    name="ingest_weekly_monday_0400",
    job=ingest_weekly,
    cron_schedule="0 4 * * 1",
    execution_timezone="America/Los_Angeles",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs ingest_weekly, confirming the switch of the production schema the "
    "tables file names (the schedule is the operator's standing confirmation).",
)
def ingest_weekly_schedule(
    context: dg.ScheduleEvaluationContext, ingest: IngestSettings
) -> dg.RunRequest:
    confirm = {"confirm_production": ingest.spec().production}
    return dg.RunRequest(run_config={"ops": {assets.production.op.name: {"config": confirm}}})


defs = dg.Definitions(
    assets=[assets.staging, assets.production],
    jobs=[ingest_weekly, assets.rollback_production_job],
    schedules=[ingest_weekly_schedule],
    resources={
        "ingest_db": PostgresResource(url=dg.EnvVar("INGEST_DATABASE_URL")),
        "ingest": IngestSettings(
            tables_file=dg.EnvVar("INGEST_TABLES_FILE"),
            source_url=dg.EnvVar("INGEST_SOURCE_URL"),
            endpoint_url=os.environ.get("INGEST_SOURCE_ENDPOINT_URL", ""),
        ),
    },
)
