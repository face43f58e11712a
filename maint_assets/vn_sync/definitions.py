"""Everything the VisioNature domain contributes to the code location."""

import dagster as dg

from maint_assets.core.ui import with_code_references
from maint_assets.vn_sync import automation, checks
from maint_assets.vn_sync.assets.vn_check_copy import vn_check_copy
from maint_assets.vn_sync.assets.vn_sync_repair import vn_sync_repair
from maint_assets.vn_sync.resources import resources

defs = dg.Definitions(
    assets=with_code_references([vn_check_copy, vn_sync_repair]),
    asset_checks=checks.CHECKS,
    jobs=automation.JOBS,
    schedules=automation.SCHEDULES,
    resources=resources(),
)
