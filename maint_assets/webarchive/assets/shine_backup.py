"""Shine's database backed up every day, as the runbook's BackupProductionShinePostgres did:
Shine, the UK Web Archive's search front end, keeps its users' accounts, saved searches and
corpora there, and nowhere else. A pg_dump (custom format) from one snapshot, with every table's
row count, checksummed in the artifact store under its retention policy, and proven by a
blocking check (checks.py): it restores with those row counts."""

import tempfile
from pathlib import Path

import dagster as dg

from maint_assets.core import database_content
from maint_assets.core.artifact_steps import put_artifact
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import DAILY_FRESHNESS
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.snapshots import exported_snapshot, pg_dump
from maint_assets.webarchive.keys import (
    GROUP_WEBARCHIVE,
    OWNERS,
    POOL_SHINE_DB,
    SHINE_BACKUP,
    SHINE_DUMP_CHECK,
    SHINE_DUMP_FOLDER,
)


@dg.asset(
    key=SHINE_BACKUP,
    group_name=GROUP_WEBARCHIVE,
    owners=OWNERS,
    freshness_policy=DAILY_FRESHNESS,
    pool=POOL_SHINE_DB,
    kinds={"postgres", "s3"},
    description="pg_dump -Fc of Shine's database (its users' saved searches and corpora), "
    "with row counts, from one snapshot",
)
def shine_backup(
    context: dg.AssetExecutionContext, shine_db: PostgresResource, artifacts: ArtifactStore
) -> dg.MaterializeResult:
    with tempfile.TemporaryDirectory() as tmp, exported_snapshot(shine_db) as snap:
        dump = Path(tmp) / "shine.dump"
        tables = database_content.count_rows(snap.conn, database_content.user_tables(snap.conn))
        pg_dump(snap, ["--format=custom"], dump, f"the Shine database ({shine_db.describe()})")
        manifest = {
            "source": shine_db.describe(),
            "server_version": snap.server_version,
            "tables": tables,
            "format": "custom",
        }
        recorded = put_artifact(
            context, artifacts, dump, SHINE_DUMP_FOLDER, manifest, checked_by=SHINE_DUMP_CHECK
        )
    return dg.MaterializeResult(
        metadata={**recorded, "tables": len(tables), "rows": sum(tables.values())}
    )
