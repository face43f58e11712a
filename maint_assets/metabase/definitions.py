"""Everything the Metabase domain contributes to the code location."""

import dagster as dg

from maint_assets.core.ui import with_code_references
from maint_assets.metabase import assets, automation, checks
from maint_assets.metabase.resources import resources

defs = dg.Definitions(
    assets=with_code_references([assets.metabase_backup]),
    asset_checks=[checks.metabase_backup_restores],
    jobs=[automation.metabase_daily_backup, automation.restore_metabase],
    schedules=automation.SCHEDULES,
    resources=resources(),
)
