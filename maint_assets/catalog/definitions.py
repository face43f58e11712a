"""Everything the catalogue domain contributes to the code location."""

import dagster as dg

from maint_assets.catalog import assets, automation
from maint_assets.catalog.resources import resources
from maint_assets.core.ui import with_code_references

defs = dg.Definitions(
    assets=with_code_references(
        [assets.dcat_pages, assets.raw_datasets, assets.datasets_clean, assets.public_datasets]
    ),
    jobs=[automation.catalog_daily],
    sensors=[automation.catalog_new_pages],
    schedules=automation.SCHEDULES,
    resources=resources(),
)
