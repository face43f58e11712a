"""Jobs and schedules of the VisioNature domain."""

import dagster as dg

from maint_assets.core.automation import running_schedule
from maint_assets.vn_sync.keys import PRODUCTION_TABLES, VN_CHECK_COPY

TIMEZONE = "Europe/Paris"
CHECK_COPY_OP = VN_CHECK_COPY.to_python_identifier()
REPAIR_SELECTION = dg.AssetSelection.assets(VN_CHECK_COPY, *PRODUCTION_TABLES.values())


def _mode(mode: str) -> dict[str, object]:
    return {"ops": {CHECK_COPY_OP: {"config": {"mode": mode}}}}


vn_daily_update = dg.define_asset_job(
    "vn_daily_update",
    selection=dg.AssetSelection.assets(VN_CHECK_COPY),
    config=_mode("update"),
    description="transfer_vn --update of the check copy's observations and places, run now: "
    "the source's diff since the last poll.",
)
vn_weekly_repair = dg.define_asset_job(
    "vn_weekly_repair",
    selection=REPAIR_SELECTION,
    config=_mode("window"),
    description="Download the last 14 days again into the check copy, then repair production "
    "from it; the repair does not run when the download fails.",
)
vn_adopted_repair = dg.define_asset_job(
    "vn_adopted_repair",
    selection=REPAIR_SELECTION,
    config=_mode("adopt"),
    description="Repair production from a check copy the operator's own transfer_vn cron keeps "
    "(daily --update, weekly --full), inside what its latest --full covered.",
)

JOBS = [vn_daily_update, vn_weekly_repair, vn_adopted_repair]
SCHEDULES = [
    running_schedule(
        vn_daily_update, "5 2 * * *", name="vn_daily_update_0205", timezone=TIMEZONE,
        description="The source's diff into the check copy every day at 02:05 (Paris).",
    ),
    running_schedule(
        vn_weekly_repair, "30 3 * * 0", name="vn_weekly_repair_sunday_0330", timezone=TIMEZONE,
        description="The window download and the repair of production every Sunday at 03:30 "
        "(Paris).",
    ),
]
