"""Jobs, schedules and sensors of the catalogue."""

import dagster as dg

from maint_assets.catalog.keys import DATASETS, DATASETS_CLEAN, DCAT_PAGES, RAW_DATASETS
from maint_assets.core.automation import running_schedule, sensor_interval
from maint_assets.core.file_sensors import new_files_sensor

catalog_daily = dg.define_asset_job(
    "catalog_daily",
    selection=dg.AssetSelection.assets(RAW_DATASETS, DATASETS_CLEAN, DATASETS),
    description="Extract the DCAT pages, transform, load public.datasets.",
)

catalog_new_pages = new_files_sensor(
    name="catalog_new_pages",
    asset_key=DCAT_PAGES,
    store="catalog_pages",
    minimum_interval_seconds=sensor_interval("CATALOG_SENSOR_INTERVAL_S", 300),
    description="Lists the pages' prefix (not its subfolders, which the extract does not "
    "read); new or changed pages record a materialization of it, and the chain follows.",
    recursive=False,
    # The chain's only trigger between its midnight runs: a page it may not read yet is
    # recorded once it can be (a chmod keeps its time). About 253 pages (the producer's), so
    # a new dump costs that many one-byte reads, an idle tick none.
    probe_new=True,
)

SCHEDULES = [
    running_schedule(
        catalog_daily, "0 0 * * *", name="catalog_daily_0000", timezone="Europe/Paris",
        description="The catalogue chain every day at midnight (Paris).",
    )
]
