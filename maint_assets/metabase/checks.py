"""The Metabase backup's restore check."""

import dagster as dg

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.restores import Recorded, restore_check
from maint_assets.metabase.keys import (
    BACKUP_FOLDER,
    METABASE_BACKUP,
    RESTORE_CHECK,
    SCRATCH_PREFIX,
)


@dg.asset_check(
    asset=METABASE_BACKUP,
    name=RESTORE_CHECK,
    blocking=True,
    description="The backup its run stored (checksum verified) restores into a scratch "
    "database on the restore server (never Metabase's own server) and every table holds the "
    "row count of its manifest.",
)
def metabase_backup_restores(
    context: dg.AssetCheckExecutionContext,
    restore_server: PostgresResource,
    artifacts: ArtifactStore,
) -> dg.AssetCheckResult:
    return restore_check(
        context, artifacts, restore_server, [Recorded(METABASE_BACKUP, BACKUP_FOLDER)],
        SCRATCH_PREFIX,
    )
