"""The maint_assets code location: every domain's definitions, one automation sensor."""

import os

import dagster as dg

from maint_assets.atlas import definitions as atlas

automation = dg.AutomationConditionSensorDefinition(
    "automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=int(os.environ.get("MAINT_AUTOMATION_INTERVAL_S", "30")),
    description="Runs what eager automation conditions request after upstream updates.",
)

defs = dg.Definitions.merge(
    atlas.defs,
    dg.Definitions(sensors=[automation], executor=dg.in_process_executor),
)
