"""Everything the ingest domain contributes to the code location."""

import dagster as dg

from maint_assets.core.ui import with_code_references
from maint_assets.ingest import assets, automation
from maint_assets.ingest.resources import resources

defs = dg.Definitions(
    assets=with_code_references([assets.ingest_staging, assets.ingest_production]),
    jobs=[automation.ingest_weekly, automation.rollback_production_job],
    schedules=automation.SCHEDULES,
    resources=resources(),
)
