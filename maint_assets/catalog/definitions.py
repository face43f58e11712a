"""Everything the catalogue domain contributes to the code location."""

import os

import dagster as dg

from maint_assets.catalog import assets
from maint_assets.core.automation import run_job_assets
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore, new_files

catalog_daily = dg.define_asset_job(
    "catalog_daily",
    selection=dg.AssetSelection.assets(assets.RAW, assets.CLEAN, assets.TABLE),
    description="Extract the DCAT pages, transform, load public.datasets.",
)


@dg.sensor(
    name="catalog_new_pages",
    minimum_interval_seconds=int(os.environ.get("CATALOG_SENSOR_INTERVAL_S", "300")),
    default_status=dg.DefaultSensorStatus.RUNNING,
    asset_selection=[assets.PAGES],  # shown as the pages' automation; it requests no run
    description="Lists the pages' prefix; new pages record a materialization of it, and the "
    "chain follows.",
)
def catalog_new_pages(
    context: dg.SensorEvaluationContext, catalog_pages: FileStore
) -> dg.SensorResult:
    new, cursor = new_files(catalog_pages.list(), context.cursor)
    if not new:
        return dg.SensorResult(skip_reason=f"no new page under {catalog_pages.url}")
    done = (
        f"recorded {assets.PAGES.to_user_string()}: {len(new)} new page(s) in "
        f"{catalog_pages.url}"
    )
    context.log.info(done)
    return dg.SensorResult(
        cursor=cursor,
        skip_reason=done,  # a tick without run requests is SKIPPED: say what it recorded
        asset_events=[
            dg.AssetMaterialization(
                assets.PAGES, metadata={"source": catalog_pages.url, "new_pages": len(new)}
            )
        ],
    )


defs = dg.Definitions(
    assets=[assets.pages, assets.raw_datasets, assets.datasets_clean, assets.public_datasets],
    jobs=[catalog_daily],
    sensors=[catalog_new_pages],
    schedules=[
        dg.ScheduleDefinition(
            name="catalog_daily_0000",
            job=catalog_daily,
            execution_fn=run_job_assets(catalog_daily),
            cron_schedule="0 0 * * *",
            execution_timezone="Europe/Paris",
            default_status=dg.DefaultScheduleStatus.RUNNING,
        )
    ],
    resources={
        "catalog_db": PostgresResource(url=dg.EnvVar("CATALOG_DATABASE_URL")),
        "catalog_pages": FileStore(
            url=dg.EnvVar("CATALOG_PAGES_URL"),
            endpoint_url=os.environ.get("CATALOG_PAGES_ENDPOINT_URL", ""),
            region_name=os.environ.get("AWS_REGION", "us-east-1"),
        ),
    },
)
