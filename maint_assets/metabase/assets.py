"""The Metabase application database's backup."""

import tempfile
from pathlib import Path

import dagster as dg

from maint_assets.core.artifact_steps import put_artifact
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.metabase.dumps import dump_app_db
from maint_assets.metabase.keys import (
    BACKUP_FOLDER,
    GROUP_METABASE,
    METABASE_BACKUP,
    OWNERS,
    POOL_METABASE_DB,
    RESTORE_CHECK,
)


@dg.asset(
    key=METABASE_BACKUP,
    group_name=GROUP_METABASE,
    pool=POOL_METABASE_DB,
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    kinds={"postgres", "s3"},
    description="pg_dump -Fc of the Metabase application database (no owners, no "
    "privileges), with row counts, in the artifact store under its retention policy.",
)
def metabase_backup(
    context: dg.AssetExecutionContext, metabase_db: PostgresResource, artifacts: ArtifactStore
) -> dg.MaterializeResult:
    with tempfile.TemporaryDirectory() as tmp:
        path, manifest = dump_app_db(metabase_db, Path(tmp))
        recorded = put_artifact(
            context, artifacts, path, BACKUP_FOLDER, manifest, checked_by=RESTORE_CHECK
        )
    return dg.MaterializeResult(metadata={**recorded, "tables": len(manifest["tables"])})
