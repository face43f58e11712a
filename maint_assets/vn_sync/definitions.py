"""Everything the VisioNature domain contributes to the code location."""

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import download, repair
from maint_assets.vn_sync.client_api_vn import DEFAULT_VENV, DEFAULT_WORK_DIR, ClientApiVn
from maint_assets.vn_sync.keys import CHECK, PRODUCTION, TABLES, key

TIMEZONE = "Europe/Paris"

vn_daily_update = dg.define_asset_job(
    "vn_daily_update",
    selection=dg.AssetSelection.assets(*(key(CHECK, t) for t in TABLES)),
    config={"ops": {"vn_check_download": {"config": {"mode": "update"}}}},
    description="transfer_vn --update of the check copy's observations and places, run now: "
    "the source's diff since the last poll.",
)
vn_weekly_repair = dg.define_asset_job(
    "vn_weekly_repair",
    selection=dg.AssetSelection.assets(
        *(key(schema, t) for schema in (CHECK, PRODUCTION) for t in TABLES)
    ),
    config={"ops": {"vn_check_download": {"config": {"mode": "window"}}}},
    description="Download the last 14 days again into the check copy, then repair production "
    "from it; the repair does not run when the download fails.",
)
vn_adopted_repair = dg.define_asset_job(
    "vn_adopted_repair",
    selection=dg.AssetSelection.assets(
        *(key(schema, t) for schema in (CHECK, PRODUCTION) for t in TABLES)
    ),
    config={"ops": {"vn_check_download": {"config": {"mode": "adopt"}}}},
    description="Repair production from a check copy the operator's own transfer_vn cron keeps "
    "(daily --update, weekly --full), inside what its latest --full covered.",
)

defs = dg.Definitions(
    assets=[download.vn_check_download, repair.vn_sync_repair],
    jobs=[vn_daily_update, vn_weekly_repair, vn_adopted_repair],
    schedules=[
        dg.ScheduleDefinition(
            name="vn_daily_update_0205", job=vn_daily_update, cron_schedule="5 2 * * *",
            execution_timezone=TIMEZONE, default_status=dg.DefaultScheduleStatus.RUNNING,
        ),
        dg.ScheduleDefinition(
            name="vn_weekly_repair_sunday_0330", job=vn_weekly_repair,
            cron_schedule="30 3 * * 0", execution_timezone=TIMEZONE,
            default_status=dg.DefaultScheduleStatus.RUNNING,
        ),
    ],
    resources={
        "vn_db": PostgresResource(url=dg.EnvVar("VN_DATABASE_URL")),
        "client_api_vn": ClientApiVn(
            config_file=dg.EnvVar("VN_TRANSFER_VN_CONFIG"),
            venv=str(DEFAULT_VENV),
            work_dir=str(DEFAULT_WORK_DIR),
        ),
    },
)
