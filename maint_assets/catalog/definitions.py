"""Everything the catalogue domain contributes to the code location."""

import dagster as dg

from maint_assets.catalog import automation
from maint_assets.catalog.assets import datasets_clean, public_datasets, raw_datasets
from maint_assets.catalog.resources import resources
from maint_assets.core.ui import with_code_references

defs = dg.Definitions(
    assets=with_code_references(
        [
            raw_datasets.dcat_pages, raw_datasets.raw_datasets, datasets_clean.datasets_clean,
            public_datasets.public_datasets,
        ]
    ),
    jobs=[automation.catalog_daily],
    sensors=[automation.catalog_new_pages],
    schedules=automation.SCHEDULES,
    resources=resources(),
)
