"""Everything the catalogue domain contributes to the code location."""

import dagster as dg

from maint_assets.catalog import assets
from maint_assets.catalog.resources import resources
from maint_assets.core.automation import running_schedule, sensor_interval
from maint_assets.core.file_sensors import new_files_sensor

catalog_daily = dg.define_asset_job(
    "catalog_daily",
    selection=dg.AssetSelection.assets(assets.RAW, assets.CLEAN, assets.TABLE),
    description="Extract the DCAT pages, transform, load public.datasets.",
)


catalog_new_pages = new_files_sensor(
    name="catalog_new_pages",
    asset_key=assets.PAGES,
    store="catalog_pages",
    minimum_interval_seconds=sensor_interval("CATALOG_SENSOR_INTERVAL_S", 300),
    description="Lists the pages' prefix; new or changed pages record a materialization of it, "
    "and the chain follows.",
)


defs = dg.Definitions(
    assets=[assets.pages, assets.raw_datasets, assets.datasets_clean, assets.public_datasets],
    jobs=[catalog_daily],
    sensors=[catalog_new_pages],
    schedules=[
        running_schedule(
            catalog_daily, "0 0 * * *", name="catalog_daily_0000", timezone="Europe/Paris"
        )
    ],
    resources=resources(),
)
