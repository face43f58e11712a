"""Jobs and schedules of the ingest domain."""

import dagster as dg

from maint_assets.ingest.assets import ingest_production
from maint_assets.ingest.keys import INGEST_PRODUCTION, INGEST_STAGING
from maint_assets.ingest.resources import IngestSettings
from maint_assets.ingest.rollback import rollback_production

ingest_weekly = dg.define_asset_job(
    "ingest_weekly",
    selection=dg.AssetSelection.assets(INGEST_STAGING, INGEST_PRODUCTION),
    description="Load the next version beside production, check it, switch it in.",
)


@dg.job(description="Switch production back to its previous version (confirmation required).")
def rollback_production_job() -> None:
    rollback_production()


# Not `running_schedule`: the run confirms the switch of the production schema the tables file
# names, which only the `ingest` resource knows (read when the schedule ticks, not at load).
@dg.schedule(
    name="ingest_weekly_monday_0400",
    job=ingest_weekly,
    cron_schedule="0 4 * * 1",
    execution_timezone="America/Los_Angeles",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The weekly ingest and switch, Mondays at 04:00 (Los Angeles), confirming the "
    "switch of the production schema the tables file names (the schedule is the operator's "
    "standing confirmation).",
)
def ingest_weekly_schedule(
    context: dg.ScheduleEvaluationContext, ingest: IngestSettings
) -> dg.RunRequest:
    confirm = {"confirm_production": ingest.spec().production}
    return dg.RunRequest(run_config={"ops": {ingest_production.op.name: {"config": confirm}}})


SCHEDULES = [ingest_weekly_schedule]
